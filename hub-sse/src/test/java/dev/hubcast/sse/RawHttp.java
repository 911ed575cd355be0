package dev.hubcast.sse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 client on a plain socket, for what well-behaved clients never send: a body that never
 * comes in full, a request that never ends. Reads with a socket timeout, so a missing answer fails
 * the test instead of hanging it. Not thread-safe.
 */
final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final java.util.Map<String, String> headers = new java.util.HashMap<>();

  RawHttp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(15_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Writes {@code text} as ISO-8859-1 bytes (request lines and headers) and flushes. */
  RawHttp write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  RawHttp write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one line without its line ending; null at the end of the stream. */
  String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  /** Reads the status line and the headers; returns the status code. */
  int readStatus() throws IOException {
    String status = readLine();
    if (status == null) {
      throw new IOException("connection closed before a status line");
    }
    headers.clear();
    String line;
    while ((line = readLine()) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    return Integer.parseInt(status.split(" ")[1]);
  }

  /** The headers of the last response {@link #readStatus} read, by lower-case name. */
  java.util.Map<String, String> headers() {
    return headers;
  }

  /** Whether the server has closed the connection (a read returns the end of the stream). */
  boolean closedByServer() throws IOException {
    try {
      while (in.read() != -1) {
        // drain what is left
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    }
  }

  Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
