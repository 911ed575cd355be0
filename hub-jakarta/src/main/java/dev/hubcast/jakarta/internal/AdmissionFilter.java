package dev.hubcast.jakarta.internal;

import dev.hubcast.core.Handshake;
import dev.hubcast.core.spi.Admission;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts each WebSocket upgrade request to the hub before the container upgrades it: a refusal is
 * answered here with the admission's HTTP status and reason, and the container never sees the
 * request; an admission is handed to the endpoint through {@link #PENDING} while the rest of the
 * chain (the container's upgrade) runs on this thread. Thread-safe: the container calls it on its
 * request threads.
 *
 * <p>Why a filter: a {@code ServerEndpointConfig.Configurator} cannot choose the status of a
 * refused handshake. Its only refusal, {@code checkOrigin} returning false, is a 403 in every
 * container, and {@code modifyHandshake} runs after the container has decided to upgrade.
 *
 * <p>Why a thread-local: the Jakarta API gives the configurator and the endpoint no view of the
 * servlet request (no attributes), but both containers checked (Tomcat 11, Jetty 12 ee11) run the
 * upgrade, with the configurator's {@code getEndpointInstance}, synchronously inside the filter
 * chain, on the thread that runs this filter. The endpoint instance takes the admission there.
 */
final class AdmissionFilter implements Filter {

  /** The admission of the upgrade running on this thread, set for the rest of the chain only. */
  static final ThreadLocal<Admission> PENDING = new ThreadLocal<>();

  private final EndpointState state;

  AdmissionFilter(EndpointState state) {
    this.state = state;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest) || !isUpgrade((HttpServletRequest) request)) {
      chain.doFilter(request, response); // not ours: the container answers it
      return;
    }
    HttpServletRequest http = (HttpServletRequest) request;
    HttpServletResponse out = (HttpServletResponse) response;
    if (state.isClosed()) {
      refuse(out, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "endpoint closed");
      return;
    }
    Admission admission = state.acceptor.admit(handshakeOf(http));
    if (!admission.isAdmitted()) {
      refuse(out, admission.status(), admission.reason());
      return;
    }
    PENDING.set(admission);
    try {
      chain.doFilter(request, response);
    } finally {
      PENDING.remove();
    }
  }

  private static boolean isUpgrade(HttpServletRequest request) {
    String upgrade = request.getHeader("Upgrade");
    return "GET".equals(request.getMethod())
        && upgrade != null
        && upgrade.equalsIgnoreCase("websocket");
  }

  static Handshake handshakeOf(HttpServletRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
      String name = names.nextElement();
      headers.put(name, Collections.list(request.getHeaders(name)));
    }
    return Handshake.of(
        request.getRequestURI(),
        request.getQueryString(),
        headers,
        // An IP literal: parsed, never looked up.
        new InetSocketAddress(request.getRemoteAddr(), Math.max(0, request.getRemotePort())));
  }

  /** Answers {@code status} with {@code reason} as text; for a refused handshake. */
  static void refuse(HttpServletResponse response, int status, String reason) throws IOException {
    response.setStatus(status);
    response.setContentType("text/plain;charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  @Override
  public String toString() {
    return "AdmissionFilter[" + state.path + "]";
  }
}
