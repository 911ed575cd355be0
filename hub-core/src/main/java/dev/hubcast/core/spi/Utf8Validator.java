package dev.hubcast.core.spi;

import java.nio.ByteBuffer;

/**
 * Checks UTF-8 incrementally, across the fragments of one text message, and fails as soon as a byte
 * cannot continue a valid sequence (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
 * For an adapter that reads text in fragments and must refuse invalid text (1007, SPI rule on
 * inbound text) before the whole message has arrived.
 *
 * <pre>{@code
 * Utf8Validator utf8 = new Utf8Validator(); // one per connection
 * // for each fragment of a text message:
 * if (!utf8.feed(fragment)) {
 *   close(CloseCodes.INVALID_PAYLOAD, "text is not UTF-8");
 * }
 * // at the last fragment:
 * if (!utf8.isComplete()) { ... the text ends inside a character ... }
 * utf8.reset();
 * }</pre>
 *
 * <p>Not thread-safe: confined to the connection's reading thread.
 */
public final class Utf8Validator {

  /** A validator at the start of a message. */
  public Utf8Validator() {}

  private int needed; // continuation bytes still expected
  private int lower = 0x80; // bounds of the next continuation byte
  private int upper = 0xBF;

  /** Forgets any partial sequence. */
  public void reset() {
    needed = 0;
    lower = 0x80;
    upper = 0xBF;
  }

  /**
   * Feeds the remaining bytes of {@code bytes}, without moving it.
   *
   * @return {@code false} as soon as the bytes cannot be UTF-8, whatever follows
   */
  public boolean feed(ByteBuffer bytes) {
    int end = bytes.limit();
    for (int i = bytes.position(); i < end; i++) {
      if (!feed(bytes.get(i) & 0xFF)) {
        return false;
      }
    }
    return true;
  }

  /** Feeds one byte; {@code false} as soon as the bytes cannot be UTF-8, whatever follows. */
  public boolean feedByte(int b) {
    return feed(b);
  }

  /** Whether the bytes fed so far end on a character boundary. */
  public boolean isComplete() {
    return needed == 0;
  }

  private boolean feed(int b) {
    if (needed == 0) {
      if (b < 0x80) {
        return true;
      }
      if (b >= 0xC2 && b <= 0xDF) {
        needed = 1;
      } else if (b == 0xE0) {
        needed = 2;
        lower = 0xA0; // no overlong 3-byte forms
      } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
        needed = 2;
      } else if (b == 0xED) {
        needed = 2;
        upper = 0x9F; // no surrogates
      } else if (b == 0xF0) {
        needed = 3;
        lower = 0x90; // no overlong 4-byte forms
      } else if (b >= 0xF1 && b <= 0xF3) {
        needed = 3;
      } else if (b == 0xF4) {
        needed = 3;
        upper = 0x8F; // nothing past U+10FFFF
      } else {
        return false; // 0x80-0xC1 as a lead byte, or 0xF5-0xFF
      }
      return true;
    }
    if (b < lower || b > upper) {
      return false;
    }
    lower = 0x80;
    upper = 0xBF;
    needed--;
    return true;
  }
}
