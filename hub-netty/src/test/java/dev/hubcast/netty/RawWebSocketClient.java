package dev.hubcast.netty;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket that sends whatever bytes a test asks for, well-formed or
 * not: bad UTF-8, unmasked frames, bad close codes, fragments. Reads server frames one by one.
 *
 * <p>Not thread-safe: one test thread.
 */
final class RawWebSocketClient implements AutoCloseable {

  /** A frame from the server. */
  record ServerFrame(boolean fin, int opcode, byte[] payload) {
    int closeCode() {
      return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  final String responseHead;

  private RawWebSocketClient(Socket socket, String responseHead, DataInputStream in)
      throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = in;
    this.responseHead = responseHead;
  }

  /**
   * Connects, sends {@code request} (plus {@code extra} bytes in the same write), reads the head.
   */
  static RawWebSocketClient open(int port, String request, byte[] extra) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    first.write(request.getBytes(StandardCharsets.ISO_8859_1));
    first.write(extra);
    socket.getOutputStream().write(first.toByteArray());
    DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return new RawWebSocketClient(socket, head.toString(), in);
  }

  /** Connects and upgrades at {@code path}. */
  static RawWebSocketClient upgrade(int port, String path) throws IOException {
    return open(port, upgradeRequest(path), new byte[0]);
  }

  static String upgradeRequest(String path) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  }

  int status() {
    return Integer.parseInt(responseHead.substring(9, 12));
  }

  /** A masked client frame. */
  static byte[] frame(boolean fin, int opcode, byte[] payload) {
    return frame(fin, opcode, payload, true);
  }

  static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      f.write(maskBit | payload.length);
    } else if (payload.length <= 0xFFFF) {
      f.write(maskBit | 126);
      f.write(payload.length >> 8);
      f.write(payload.length);
    } else {
      f.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >> (8 * i)));
      }
    }
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

  static byte[] closePayload(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    return p;
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next server frame. */
  ServerFrame read() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    if ((b1 & 0x80) != 0) {
      throw new IOException("server frame is masked");
    }
    long len = b1 & 0x7F;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new ServerFrame((b0 & 0x80) != 0, b0 & 0x0F, payload);
  }

  /** Reads frames until a close frame, skipping others; fails on end of stream. */
  ServerFrame readClose() throws IOException {
    while (true) {
      ServerFrame f = read();
      if (f.opcode() == 0x8) {
        return f;
      }
    }
  }

  /** Whether the server closed the TCP connection (end of stream) before the read timeout. */
  boolean awaitEof() throws IOException {
    try {
      while (in.read() >= 0) {
        // drain
      }
      return true;
    } catch (EOFException e) {
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
