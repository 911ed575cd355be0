package dev.hubcast.bench;

import io.netty.buffer.ByteBuf;

/**
 * The load generator's message: ASCII, so every server relays it as a text message, with fixed
 * fields a subscriber reads in place, without decoding:
 *
 * <pre>
 * PPPP SSSSSSSSSSSS TTTTTTTTTTTTTTTTTTT xxxx...
 * publisher id (4 digits), sequence (12 digits), intended send time (19 digits, nanoseconds since
 * the run's base), then padding to the message size
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
final class Payload {
  static final int PUBLISHER_AT = 0;
  static final int PUBLISHER_DIGITS = 4;
  static final int SEQUENCE_AT = 5;
  static final int SEQUENCE_DIGITS = 12;
  static final int TIME_AT = 18;
  static final int TIME_DIGITS = 19;

  /** The smallest message that holds the fields. */
  static final int MIN_SIZE = TIME_AT + TIME_DIGITS + 1;

  /** The most publishers the id field holds. */
  static final int MAX_PUBLISHERS = 9999;

  private Payload() {}

  /** Writes one message of {@code size} bytes at {@code out}'s writer index. */
  static void write(ByteBuf out, int size, int publisher, long sequence, long sendNanos) {
    int start = out.writerIndex();
    out.ensureWritable(size);
    putDigits(out, start + PUBLISHER_AT, PUBLISHER_DIGITS, publisher);
    out.setByte(start + PUBLISHER_AT + PUBLISHER_DIGITS, ' ');
    putDigits(out, start + SEQUENCE_AT, SEQUENCE_DIGITS, sequence);
    out.setByte(start + SEQUENCE_AT + SEQUENCE_DIGITS, ' ');
    putDigits(out, start + TIME_AT, TIME_DIGITS, sendNanos);
    for (int i = TIME_AT + TIME_DIGITS; i < size; i++) {
      out.setByte(start + i, i == TIME_AT + TIME_DIGITS ? ' ' : 'x');
    }
    out.writerIndex(start + size);
  }

  private static void putDigits(ByteBuf out, int at, int digits, long value) {
    long v = value;
    for (int i = digits - 1; i >= 0; i--) {
      out.setByte(at + i, (int) ('0' + v % 10));
      v /= 10;
    }
  }

  /** The publisher id of the message at {@code at}, or -1 if it is not one of ours. */
  static int publisher(ByteBuf in, int at, int length) {
    if (length < MIN_SIZE) {
      return -1;
    }
    long v = digits(in, at + PUBLISHER_AT, PUBLISHER_DIGITS);
    return (int) v;
  }

  static long sequence(ByteBuf in, int at) {
    return digits(in, at + SEQUENCE_AT, SEQUENCE_DIGITS);
  }

  static long sendNanos(ByteBuf in, int at) {
    return digits(in, at + TIME_AT, TIME_DIGITS);
  }

  private static long digits(ByteBuf in, int at, int n) {
    long v = 0;
    for (int i = 0; i < n; i++) {
      int d = in.getByte(at + i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }
}
