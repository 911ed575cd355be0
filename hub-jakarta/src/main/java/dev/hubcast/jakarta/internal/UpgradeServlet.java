package dev.hubcast.jakarta.internal;

import dev.hubcast.core.spi.Admission;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Enumeration;
import java.util.Locale;

/**
 * The WebSocket opening handshake (RFC 6455, section 4.2) on the servlet API: checks the request,
 * puts it to the hub (origin policy, authenticator, connection caps), and upgrades it with {@code
 * HttpServletRequest.upgrade} to an {@link UpgradeConnection}, or answers with a status: 426 (with
 * {@code Upgrade: websocket}) to plain HTTP, 426 (with {@code Sec-WebSocket-Version: 13}) to
 * another protocol version, 400 to a malformed handshake, 405 to another method than GET, 503 once
 * the endpoint is closed, and the hub's status (401, 403, 429, 503) to a refusal, each with its
 * reason as text. Thread-safe: the container calls it on its request threads.
 */
final class UpgradeServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final transient UpgradeEndpoint endpoint;

  UpgradeServlet(UpgradeEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!hasToken(request, "Upgrade", "websocket")) {
      response.setHeader("Upgrade", "websocket");
      response.setHeader("Connection", "Upgrade");
      AdmissionFilter.refuse(
          response, 426, "426 Upgrade Required: this path serves WebSocket connections");
      return;
    }
    if (!"GET".equals(request.getMethod())) {
      response.setHeader("Allow", "GET");
      AdmissionFilter.refuse(
          response, 405, "a WebSocket handshake is a GET, not " + request.getMethod());
      return;
    }
    if (!hasToken(request, "Connection", "upgrade")) {
      AdmissionFilter.refuse(response, 400, "the Connection header does not name Upgrade");
      return;
    }
    String version = request.getHeader("Sec-WebSocket-Version");
    if (!"13".equals(version == null ? null : version.trim())) {
      response.setHeader("Sec-WebSocket-Version", "13");
      AdmissionFilter.refuse(
          response, 426, "Sec-WebSocket-Version: " + version + " (expected: 13)");
      return;
    }
    String key = request.getHeader("Sec-WebSocket-Key");
    if (!isKey(key)) {
      AdmissionFilter.refuse(
          response, 400, "Sec-WebSocket-Key is missing or not 16 bytes in base64");
      return;
    }
    if (endpoint.isClosed()) {
      AdmissionFilter.refuse(response, 503, "endpoint closed");
      return;
    }
    Admission admission = endpoint.acceptor.admit(AdmissionFilter.handshakeOf(request));
    if (!admission.isAdmitted()) {
      AdmissionFilter.refuse(response, admission.status(), admission.reason());
      return;
    }
    // Status and headers before upgrade(): Jetty checks them there; Tomcat sets the status itself.
    response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
    response.setHeader("Upgrade", "websocket");
    response.setHeader("Connection", "Upgrade");
    response.setHeader("Sec-WebSocket-Accept", accept(key.trim()));
    admission.subprotocol().ifPresent(p -> response.setHeader("Sec-WebSocket-Protocol", p));
    UpgradeConnection connection;
    try {
      connection = request.upgrade(UpgradeConnection.class);
    } catch (Exception e) {
      response.reset();
      AdmissionFilter.refuse(response, 500, "this container cannot upgrade HTTP connections: " + e);
      return;
    }
    // The container answers 101 and calls init once this returns.
    connection.prepare(endpoint, admission);
  }

  /** Whether {@code token} is among the comma-separated values of every {@code name} header. */
  private static boolean hasToken(HttpServletRequest request, String name, String token) {
    for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
      for (String part : values.nextElement().split(",")) {
        if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isKey(String key) {
    if (key == null) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key.trim()).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The Sec-WebSocket-Accept answer to a key (RFC 6455, section 4.2.2). */
  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }
}
