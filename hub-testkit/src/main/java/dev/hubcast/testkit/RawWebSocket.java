package dev.hubcast.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A WebSocket client written by hand on a plain socket, for what well-behaved clients never send:
 * malformed handshakes, frames with absurd lengths, invalid UTF-8, endless fragments, silence (no
 * pong). It reads the server's frames as they come, without answering pings.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class RawWebSocket implements AutoCloseable {

  /** Opcodes. */
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

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** A TCP connection to the server of {@code uri} that has sent nothing yet. */
  public static RawWebSocket tcp(URI uri) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
    s.setSoTimeout(15_000);
    s.setTcpNoDelay(true);
    return new RawWebSocket(s);
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

  /** The headers of a proper upgrade request for {@code uri}. */
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
    return readResponse();
  }

  private Response readResponse() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (last4 != 0x0D0A0D0A) {
      int b;
      try {
        b = in.read();
      } catch (java.net.SocketException e) {
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

  /** Sends one masked frame: FIN flag, opcode and payload. */
  public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
    sendHeader(fin, opcode, payload.length);
    // The mask key is 0x00000000: XOR with zero leaves the payload as it is, and is a valid mask.
    out.write(payload);
    out.flush();
  }

  /**
   * Sends only a masked frame header declaring {@code length} payload bytes (which may be absurd,
   * such as 2^62), and no payload.
   */
  public void sendHeader(boolean fin, int opcode, long length) throws IOException {
    ByteArrayOutputStream h = new ByteArrayOutputStream(14);
    h.write((fin ? 0x80 : 0) | (opcode & 0x0F));
    if (length < 126) {
      h.write(0x80 | (int) length);
    } else if (length <= 0xFFFF) {
      h.write(0x80 | 126);
      h.write((int) (length >>> 8) & 0xFF);
      h.write((int) length & 0xFF);
    } else {
      h.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        h.write((int) (length >>> (8 * i)) & 0xFF);
      }
    }
    h.write(new byte[4]); // the mask key
    out.write(h.toByteArray());
    out.flush();
  }

  /** A frame from the server. */
  public record ServerFrame(boolean fin, int opcode, byte[] payload) {
    /** The close code of a close frame (1005 if it has none). */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }
  }

  /**
   * Reads the next frame from the server, or {@code null} if the server closed the TCP connection
   * (or reset it) first.
   */
  public ServerFrame readFrame(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    try {
      int b0 = in.read();
      if (b0 < 0) {
        return null;
      }
      int b1 = readByte();
      long len = b1 & 0x7F;
      if (len == 126) {
        len = (readByte() << 8) | readByte();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | readByte();
        }
      }
      if ((b1 & 0x80) != 0) {
        for (int i = 0; i < 4; i++) {
          readByte(); // a server must not mask; read it past anyway
        }
      }
      if (len > 16 * 1024 * 1024) {
        throw new IOException("server frame of " + len + " bytes");
      }
      byte[] payload = in.readNBytes((int) len);
      if (payload.length < len) {
        return null;
      }
      return new ServerFrame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    } catch (java.net.SocketException e) {
      return null; // reset by the server
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
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      if (System.nanoTime() > deadline) {
        throw new SocketTimeoutException("no close within " + timeout);
      }
      ServerFrame f = readFrame(Duration.ofMillis(left));
      if (f == null || f.opcode() == CLOSE) {
        return f;
      }
    }
  }

  /** Whether the server closed the TCP connection within {@code timeout} (reading any frames). */
  public boolean awaitEof(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        if (readFrame(Duration.ofMillis(left)) == null) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    }
    return false;
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
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /**
   * An HTTP response to an upgrade request.
   *
   * @param status the status code ({@code -1} if the server closed without answering)
   * @param head the status line and headers
   */
  public record Response(int status, String head) {}
}
