package dev.hubcast.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written by hand on a plain socket, for what well-behaved clients never send:
 * malformed handshakes, frames with absurd lengths, unmasked frames, invalid UTF-8, endless
 * fragments, bad close codes, bytes right behind the request, silence (no pong). It reads the
 * server's frames as they come, without answering pings. Not thread-safe: one test thread drives
 * it.
 *
 * <p>Reads block for at most the given timeout, or {@link #READ_TIMEOUT} where none is given.
 */
public final class RawWebSocket implements AutoCloseable {

  /** Continuation opcode. */
  public static final int CONTINUATION = 0x0;

  /** Text opcode. */
  public static final int TEXT = 0x1;

  /** Binary opcode. */
  public static final int BINARY = 0x2;

  /** Close opcode. */
  public static final int CLOSE = 0x8;

  /** Ping opcode. */
  public static final int PING = 0x9;

  /** Pong opcode. */
  public static final int PONG = 0xA;

  /** How long a read without a timeout of its own waits for the server. */
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  /**
   * The sample key of RFC 6455 section 1.3, used by {@link #upgradeRequest(String)}: the server's
   * answer must carry {@value #SAMPLE_ACCEPT}.
   */
  public static final String SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  /** The {@code Sec-WebSocket-Accept} that answers {@link #SAMPLE_KEY}. */
  public static final String SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_SERVER_FRAME = 16 * 1024 * 1024;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private Response response; // the answer to the upgrade, once read

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** A TCP connection to the server of {@code uri} that has sent nothing yet. */
  public static RawWebSocket tcp(URI uri) throws IOException {
    return tcp(uri.getHost(), uri.getPort());
  }

  private static RawWebSocket tcp(String host, int port) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), 5000);
      s.setSoTimeout((int) READ_TIMEOUT.toMillis());
      s.setTcpNoDelay(true);
      return new RawWebSocket(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Connects and completes a proper upgrade to {@code uri}.
   *
   * @throws IOException if the server does not answer 101
   */
  public static RawWebSocket open(URI uri) throws IOException {
    RawWebSocket ws = tcp(uri);
    Response r = ws.handshake(uri, standardHeaders(uri), 0);
    if (r.status() != 101) {
      ws.close();
      throw new IOException("expected 101, got " + r.status());
    }
    return ws;
  }

  /**
   * Connects to {@code 127.0.0.1:port}, sends {@code request} and then {@code extra} in the same
   * write (such as frames right behind the upgrade request), and reads the response's head,
   * whatever its status: see {@link #response()}.
   */
  public static RawWebSocket open(int port, String request, byte[] extra) throws IOException {
    RawWebSocket ws = tcp("127.0.0.1", port);
    try {
      ByteArrayOutputStream first = new ByteArrayOutputStream();
      first.write(request.getBytes(StandardCharsets.ISO_8859_1));
      first.write(extra);
      ws.out.write(first.toByteArray());
      ws.out.flush();
      ws.response = ws.readResponse();
      return ws;
    } catch (IOException e) {
      ws.close();
      throw e;
    }
  }

  /**
   * Connects to {@code 127.0.0.1:port} and sends {@link #upgradeRequest(String)} for {@code path}.
   */
  public static RawWebSocket upgrade(int port, String path) throws IOException {
    return open(port, upgradeRequest(path), new byte[0]);
  }

  /** A proper upgrade request for {@code path} on 127.0.0.1, with {@link #SAMPLE_KEY}. */
  public static String upgradeRequest(String path) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + SAMPLE_KEY
        + "\r\n\r\n";
  }

  /** The headers of a proper upgrade request for {@code uri}, with a fresh random key. */
  public static Map<String, String> standardHeaders(URI uri) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Host", uri.getHost() + ":" + uri.getPort());
    h.put("Upgrade", "websocket");
    h.put("Connection", "Upgrade");
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    h.put("Sec-WebSocket-Key", Base64.getEncoder().encodeToString(key));
    h.put("Sec-WebSocket-Version", "13");
    return h;
  }

  /**
   * Sends an upgrade request with exactly these headers (plus {@code extraHeaders} filler headers
   * named {@code X-Filler-N}) and reads the response's status line and headers.
   */
  public Response handshake(URI uri, Map<String, String> headers, int extraHeaders)
      throws IOException {
    StringBuilder req = new StringBuilder();
    String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    req.append("GET ").append(path).append(" HTTP/1.1\r\n");
    headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    for (int i = 0; i < extraHeaders; i++) {
      req.append("X-Filler-").append(i).append(": ").append(i).append("\r\n");
    }
    req.append("\r\n");
    try {
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    } catch (IOException e) {
      // The server may refuse and close before reading it all; read what it said.
    }
    response = readResponse();
    return response;
  }

  /**
   * The server's answer to the upgrade request this client sent.
   *
   * @throws IllegalStateException if no request was sent yet (a {@link #tcp} connection)
   */
  public Response response() {
    if (response == null) {
      throw new IllegalStateException("no upgrade request was sent");
    }
    return response;
  }

  private Response readResponse() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (last4 != 0x0D0A0D0A) {
      int b;
      try {
        b = in.read();
      } catch (SocketException e) {
        b = -1; // reset after refusing
      }
      if (b < 0) {
        if (head.size() == 0) {
          return new Response(-1, "");
        }
        break;
      }
      head.write(b);
      last4 = (last4 << 8) | b;
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    String[] first = text.split("\r\n", 2)[0].split(" ", 3);
    int status = -1;
    if (first.length > 1) {
      try {
        status = Integer.parseInt(first[1].trim());
      } catch (NumberFormatException e) {
        status = -1;
      }
    }
    return new Response(status, text);
  }

  /** Sends one frame masked with a random key: FIN flag, opcode and payload. */
  public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
    send(frame(fin, opcode, payload));
  }

  /**
   * Sends only a masked frame header declaring {@code length} payload bytes (which may be absurd,
   * such as 2^62), and no payload.
   */
  public void sendHeader(boolean fin, int opcode, long length) throws IOException {
    ByteArrayOutputStream h = new ByteArrayOutputStream(14);
    writeHeader(h, fin, opcode, length, true);
    h.write(new byte[4]); // the mask key
    send(h.toByteArray());
  }

  /** Sends these bytes as they are, in one write. */
  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** A client frame masked with a random key, as bytes to {@link #send(byte[]) send}. */
  public static byte[] frame(boolean fin, int opcode, byte[] payload) {
    return frame(fin, opcode, payload, true);
  }

  /** A client frame, masked with a random key or not masked at all (which a server refuses). */
  public static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    writeHeader(f, fin, opcode, payload.length, masked);
    byte[] mask = new byte[4];
    if (masked) {
      ThreadLocalRandom.current().nextBytes(mask);
      f.write(mask, 0, 4);
    }
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    return f.toByteArray();
  }

  private static void writeHeader(
      ByteArrayOutputStream h, boolean fin, int opcode, long length, boolean masked) {
    int maskBit = masked ? 0x80 : 0;
    h.write((fin ? 0x80 : 0) | (opcode & 0x0F));
    if (length < 126) {
      h.write(maskBit | (int) length);
    } else if (length <= 0xFFFF) {
      h.write(maskBit | 126);
      h.write((int) (length >>> 8) & 0xFF);
      h.write((int) length & 0xFF);
    } else {
      h.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        h.write((int) (length >>> (8 * i)) & 0xFF);
      }
    }
  }

  /** The payload of a close frame: the code, then the reason in UTF-8. */
  public static byte[] closePayload(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    return p;
  }

  /**
   * A frame from the server. Immutable (its payload array is the client's own copy).
   *
   * @param fin whether it is the last frame of its message
   * @param opcode its opcode
   * @param payload its payload
   */
  public record ServerFrame(boolean fin, int opcode, byte[] payload) {
    /** The close code of a close frame (1005 if it has none). */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }

    /** The reason of a close frame (empty if it has none). */
    public String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }

    /** The payload as UTF-8 text. */
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /**
   * Reads the next frame from the server within {@link #READ_TIMEOUT}.
   *
   * @throws EOFException if the server closed the connection first
   * @throws SocketTimeoutException if no frame came in time
   */
  public ServerFrame read() throws IOException {
    ServerFrame f = readFrame(READ_TIMEOUT);
    if (f == null) {
      throw new EOFException("the server closed the connection");
    }
    return f;
  }

  /**
   * Reads the next frame from the server, or {@code null} if the server closed the TCP connection
   * (or reset it) first.
   *
   * @throws SocketTimeoutException if neither came in time
   * @throws IOException if the server masked its frame, which RFC 6455 forbids
   */
  public ServerFrame readFrame(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      int b0 = in.read();
      if (b0 < 0) {
        return null;
      }
      int b1 = readByte();
      if ((b1 & 0x80) != 0) {
        throw new IOException("server frame is masked");
      }
      long len = b1 & 0x7F;
      if (len == 126) {
        len = (readByte() << 8) | readByte();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | readByte();
        }
      }
      if (len > MAX_SERVER_FRAME) {
        throw new IOException("server frame of " + len + " bytes");
      }
      byte[] payload = in.readNBytes((int) len);
      if (payload.length < len) {
        return null;
      }
      return new ServerFrame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    } catch (SocketException | EOFException e) {
      return null; // reset by the server, or closed within a frame
    }
  }

  /**
   * Reads frames until a close frame (returned), skipping data and pings, or {@code null} if the
   * connection ended without one.
   *
   * @throws SocketTimeoutException if neither came in time
   */
  public ServerFrame awaitClose(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no close within " + timeout);
      }
      ServerFrame f = readFrame(Duration.ofNanos(left));
      if (f == null || f.opcode() == CLOSE) {
        return f;
      }
    }
  }

  /**
   * Reads frames until a close frame within {@link #READ_TIMEOUT}, skipping data and pings.
   *
   * @throws EOFException if the connection ended without a close frame
   */
  public ServerFrame readClose() throws IOException {
    ServerFrame f = awaitClose(READ_TIMEOUT);
    if (f == null) {
      throw new EOFException("the connection ended without a close frame");
    }
    return f;
  }

  /** Whether the server closed the TCP connection within {@code timeout} (reading any frames). */
  public boolean awaitEof(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
        if (readFrame(Duration.ofNanos(left)) == null) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    }
    return false;
  }

  /** Whether the server closed the TCP connection within {@link #READ_TIMEOUT}. */
  public boolean awaitEof() throws IOException {
    return awaitEof(READ_TIMEOUT);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException();
    }
    return b;
  }

  /** Resets the connection: no close frame, TCP RST. */
  public void abort() throws IOException {
    if (!socket.isClosed()) {
      socket.setSoLinger(true, 0);
    }
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /**
   * An HTTP response to an upgrade request. Immutable.
   *
   * @param status the status code ({@code -1} if the server closed without answering)
   * @param head the status line and headers
   */
  public record Response(int status, String head) {}
}
