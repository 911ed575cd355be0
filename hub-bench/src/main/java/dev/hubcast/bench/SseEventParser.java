package dev.hubcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@code text/event-stream} body, piece by piece as the HTTP codec hands it over, into
 * events: the {@code data:} lines of an event joined with {@code \n}, and its {@code event:} type.
 * Lines end with {@code \n} or {@code \r\n} (a lone {@code \r} as a line end, which the format also
 * allows, is not read: Hubcast never sends one); comment lines ({@code :}, the server's heartbeat),
 * {@code id:} and {@code retry:} are read past, as the bench never reconnects.
 *
 * <p>The common case costs no copy and no string: an event whose one {@code data:} line and closing
 * blank line are both in the piece being read is handed over in place, as a range of that piece.
 * Only what crosses a piece's end is copied, into two buffers kept for the stream's life: the line
 * cut by the end of a piece, and the data of an event that goes on in a later piece. Only {@code
 * event:} lines make a string (Hubcast's {@code hubcast-open} and {@code hubcast-close}, once a
 * stream; its messages have none).
 *
 * <p>Not thread-safe: one per stream, fed by its event loop.
 */
final class SseEventParser {

  /** Receives each event as it ends. */
  interface Listener {
    /**
     * One event: its {@code type} ({@code null} when it has no {@code event:} line, the default
     * {@code message} type) and its data, {@code data[at, at + length)}, valid during the call.
     */
    void onEvent(String type, ByteBuf data, int at, int length);
  }

  /** The longest line or event data kept across pieces; past it the stream is refused. */
  static final int MAX_BYTES = 1 << 20;

  private static final byte[] DATA = ascii("data");
  private static final byte[] EVENT = ascii("event");

  private final Listener listener;
  private final ByteBuf carry = Unpooled.buffer(128); // a line cut by the end of a piece
  private final ByteBuf data = Unpooled.buffer(128); // the event's data, when not in place
  private boolean hasData;
  private ByteBuf inPlace; // the event's only data line so far, in the piece being read
  private int inPlaceAt;
  private int inPlaceLength;
  private String type;

  SseEventParser(Listener listener) {
    this.listener = listener;
  }

  /**
   * Reads all of {@code in} (its reader index moves to its writer index), handing over each event
   * that ends in it.
   *
   * @throws IllegalStateException when a line or an event's data passes {@link #MAX_BYTES}
   */
  void feed(ByteBuf in) {
    int i = in.readerIndex();
    int end = in.writerIndex();
    in.readerIndex(end);
    if (carry.isReadable()) {
      int nl = in.indexOf(i, end, (byte) '\n');
      if (nl < 0) {
        append(carry, in, i, end - i);
        return;
      }
      append(carry, in, i, nl - i);
      line(carry, carry.readerIndex(), carry.readableBytes(), false);
      carry.clear();
      i = nl + 1;
    }
    while (i < end) {
      int nl = in.indexOf(i, end, (byte) '\n');
      if (nl < 0) {
        append(carry, in, i, end - i);
        break;
      }
      line(in, i, nl - i, true);
      i = nl + 1;
    }
    if (inPlace != null) {
      // The event goes on in a later piece: keep its data past this one.
      keepInPlace();
    }
  }

  /** One line without its {@code \n}; {@code inPiece}: it lies in the piece being read. */
  private void line(ByteBuf buf, int at, int length, boolean inPiece) {
    if (length > 0 && buf.getByte(at + length - 1) == '\r') {
      length--;
    }
    if (length == 0) {
      dispatch();
      return;
    }
    int value = valueAt(buf, at, length, DATA);
    if (value >= 0) {
      data(buf, value, at + length - value, inPiece);
      return;
    }
    value = valueAt(buf, at, length, EVENT);
    if (value >= 0) {
      type = buf.toString(value, at + length - value, StandardCharsets.UTF_8);
    }
    // a comment, id:, retry: or an unknown field: nothing the bench needs
  }

  private void data(ByteBuf buf, int at, int length, boolean inPiece) {
    if (!hasData) {
      hasData = true;
      if (inPiece) {
        inPlace = buf;
        inPlaceAt = at;
        inPlaceLength = length;
      } else {
        append(data, buf, at, length);
      }
      return;
    }
    if (inPlace != null) {
      keepInPlace();
    }
    data.writeByte('\n'); // append's bound leaves room for it
    append(data, buf, at, length);
  }

  private void keepInPlace() {
    append(data, inPlace, inPlaceAt, inPlaceLength);
    inPlace = null;
  }

  /** A blank line: the event ends (one without data is dropped, as the format says). */
  private void dispatch() {
    try {
      if (!hasData) {
        return;
      }
      if (inPlace != null) {
        listener.onEvent(type, inPlace, inPlaceAt, inPlaceLength);
      } else {
        listener.onEvent(type, data, data.readerIndex(), data.readableBytes());
      }
    } finally {
      hasData = false;
      inPlace = null;
      data.clear();
      type = null;
    }
  }

  /**
   * Where the value of field {@code name} starts on the line {@code buf[at, at + length)}, past the
   * colon and one optional space; the line's end for a line that is just the name; -1 for another
   * field.
   */
  private static int valueAt(ByteBuf buf, int at, int length, byte[] name) {
    if (length < name.length) {
      return -1;
    }
    for (int k = 0; k < name.length; k++) {
      if (buf.getByte(at + k) != name[k]) {
        return -1;
      }
    }
    int p = at + name.length;
    int end = at + length;
    if (p == end) {
      return end;
    }
    if (buf.getByte(p) != ':') {
      return -1;
    }
    p++;
    if (p < end && buf.getByte(p) == ' ') {
      p++;
    }
    return p;
  }

  private static void append(ByteBuf to, ByteBuf from, int at, int length) {
    if (to.readableBytes() + length + 1 > MAX_BYTES) {
      throw new IllegalStateException("event stream line or event over " + MAX_BYTES + " bytes");
    }
    to.writeBytes(from, at, length);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
