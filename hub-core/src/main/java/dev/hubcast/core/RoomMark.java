package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A room and a position in it: where one room broadcast stands. The hub stamps every frame of a
 * room broadcast with its mark ({@link Message#mark()}), so that a transport can hand it to the
 * client as an opaque resume id (a Server-Sent Events {@code id:}), and the client can give it back
 * when it reconnects ({@link Handshake#lastEventMark()}) for the application to resume from ({@link
 * Hub#joinAndResume}).
 *
 * <p>Its {@link #toText() text form} is {@code epoch:seq:room}, with the room URL-encoded, so it
 * never holds a line break, a NUL or a space: {@code k3j9x0aa1b:42:lobby}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param room the room's name, not empty
 * @param position the broadcast's position in the room
 */
public record RoomMark(String room, RoomPosition position) {

  /** The longest text form {@link #parse} takes, in characters. */
  public static final int MAX_TEXT_LENGTH = 1024;

  /**
   * Validates the mark.
   *
   * @throws IllegalArgumentException if {@code room} is empty
   */
  public RoomMark {
    requireNonNull(room, "room");
    requireNonNull(position, "position");
    if (room.isEmpty()) {
      throw new IllegalArgumentException("room: \"\" (expected: a room name)");
    }
  }

  /** The text form, {@code epoch:seq:room} with the room URL-encoded. */
  public String toText() {
    return position.epoch()
        + ':'
        + position.seq()
        + ':'
        + URLEncoder.encode(room, StandardCharsets.UTF_8);
  }

  /**
   * Reads a mark's {@link #toText() text form}.
   *
   * @throws IllegalArgumentException naming the bad value (shown cut to 64 characters) if it is not
   *     one
   */
  public static RoomMark parse(String text) {
    requireNonNull(text, "text");
    return tryParse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "mark: \""
                        + (text.length() <= 64 ? text : text.substring(0, 64) + "...")
                        + "\" (expected: epoch:seq:room)"));
  }

  /**
   * Reads a mark's text form; empty if {@code text} is null or not one. Never throws. Only what
   * {@link #toText()} writes is read: the room in URL-encoded characters, and a text form of at
   * most {@link #MAX_TEXT_LENGTH} characters once written again (so a mark of a very long room name
   * is not read back).
   */
  public static Optional<RoomMark> tryParse(String text) {
    if (text == null || text.length() > MAX_TEXT_LENGTH) {
      return Optional.empty();
    }
    int first = text.indexOf(':');
    int second = first < 0 ? -1 : text.indexOf(':', first + 1);
    if (first <= 0 || second < 0 || second == first + 1 || second == text.length() - 1) {
      return Optional.empty();
    }
    String seqText = text.substring(first + 1, second);
    if (seqText.length() > 18 || !seqText.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    String encoded = text.substring(second + 1);
    if (!encoded.chars().allMatch(RoomMark::isEncodedChar)) {
      return Optional.empty(); // toText never writes it: a raw space, a control character...
    }
    try {
      String room = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
      RoomMark mark =
          new RoomMark(room, new RoomPosition(text.substring(0, first), Long.parseLong(seqText)));
      // Escapes of bytes that are not UTF-8 decode to U+FFFD, which writes back longer.
      return mark.toText().length() <= MAX_TEXT_LENGTH ? Optional.of(mark) : Optional.empty();
    } catch (IllegalArgumentException e) { // a bad epoch, an empty room, a bad %-escape
      return Optional.empty();
    }
  }

  /** The characters of a URL-encoded room: what {@link URLEncoder} writes. */
  private static boolean isEncodedChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '*'
        || c == '_'
        || c == '+'
        || c == '%';
  }

  @Override
  public String toString() {
    return toText();
  }
}
