package dev.hubcast.sse.internal;

import dev.hubcast.core.Message;
import dev.hubcast.core.RoomMark;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Hub messages as Server-Sent Events, ready for the stream.
 *
 * <p>A text message without a carriage return is one event of the default type ({@code message}):
 * one {@code data:} line per line of the text, so the browser's {@code EventSource} hands it over
 * as it was. A text with a carriage return (which the event-stream format would turn into a line
 * break) is a {@code hubcast-text} event, and a binary message a {@code hubcast-binary} event, with
 * the payload in base64 on one {@code data:} line. A frame with a {@link RoomMark} carries it as
 * the event's {@code id:}, which the browser sends back as {@code Last-Event-ID} when it
 * reconnects.
 *
 * <p>As on the WebSocket adapters, a message is encoded once, into one direct buffer cached on it
 * ({@link Message#wireForm}); every stream writes a {@code retainedDuplicate()}. The cache keeps
 * one reference that is never released; the JDK frees the memory with the message.
 *
 * <p>Thread-safe (stateless).
 */
final class EventFrames {

  static final String TEXT_EVENT = "hubcast-text";
  static final String BINARY_EVENT = "hubcast-binary";
  static final String OPEN_EVENT = "hubcast-open";
  static final String CLOSE_EVENT = "hubcast-close";

  private static final Message.WireKey<ByteBuf> KEY = Message.WireKey.of("hub-sse");
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEARTBEAT = ":\n".getBytes(StandardCharsets.US_ASCII);

  private EventFrames() {}

  /** The shared, read-only event of {@code frame}; write a {@code retainedDuplicate()} of it. */
  static ByteBuf shared(Message frame) {
    return frame.wireForm(KEY, EventFrames::build);
  }

  private static ByteBuf build(Message frame) {
    byte[] id =
        frame
            .mark()
            .map(m -> ("id: " + m.toText() + "\n").getBytes(StandardCharsets.US_ASCII))
            .orElse(new byte[0]);
    ByteBuffer payload = frame.payload();
    if (frame.isText() && indexOf(payload, (byte) '\r') < 0) {
      int lines = 1 + count(payload, (byte) '\n');
      ByteBuffer wire =
          ByteBuffer.allocateDirect(id.length + lines * (DATA.length + 1) + frame.length() + 1);
      wire.put(id).put(DATA);
      while (payload.hasRemaining()) {
        byte b = payload.get();
        wire.put(b);
        if (b == '\n') {
          wire.put(DATA);
        }
      }
      wire.put((byte) '\n').put((byte) '\n');
      return wrap(wire);
    }
    byte[] event =
        ("event: " + (frame.isText() ? TEXT_EVENT : BINARY_EVENT) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    ByteBuffer base64 = Base64.getEncoder().encode(payload);
    ByteBuffer wire =
        ByteBuffer.allocateDirect(id.length + event.length + DATA.length + base64.remaining() + 2);
    wire.put(id).put(event).put(DATA).put(base64).put((byte) '\n').put((byte) '\n');
    return wrap(wire);
  }

  /** The first event of a stream: the token its POSTs carry. */
  static ByteBuf open(String token) {
    return ascii("event: " + OPEN_EVENT + "\ndata: " + token + "\n\n");
  }

  /** The last event of a stream: the close code and reason, as {@code code reason}. */
  static ByteBuf close(int code, String reason) {
    String oneLine = reason.replace('\r', ' ').replace('\n', ' ');
    byte[] bytes =
        ("event: " + CLOSE_EVENT + "\ndata: " + code + " " + oneLine + "\n\n")
            .getBytes(StandardCharsets.UTF_8);
    return Unpooled.wrappedBuffer(bytes);
  }

  /** A comment line: keeps proxies from closing an idle stream, and finds a dead peer. */
  static ByteBuf heartbeat() {
    return Unpooled.wrappedBuffer(HEARTBEAT);
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static ByteBuf wrap(ByteBuffer wire) {
    wire.flip();
    return Unpooled.wrappedBuffer(wire.asReadOnlyBuffer());
  }

  private static int indexOf(ByteBuffer b, byte value) {
    for (int i = b.position(); i < b.limit(); i++) {
      if (b.get(i) == value) {
        return i;
      }
    }
    return -1;
  }

  private static int count(ByteBuffer b, byte value) {
    int n = 0;
    for (int i = b.position(); i < b.limit(); i++) {
      if (b.get(i) == value) {
        n++;
      }
    }
    return n;
  }
}
