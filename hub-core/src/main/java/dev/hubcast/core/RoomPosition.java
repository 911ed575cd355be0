package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Where a room's numbering stands: the {@code seq} of a broadcast in the room, within the room's
 * {@code epoch}. A client keeps the position of the last broadcast it saw and resumes from it
 * ({@link Hub#joinAndResume}).
 *
 * <p>{@code seq} increases by one per room broadcast from 1 ({@code 0}: before the first). The
 * {@code epoch} is a short opaque string that changes whenever the numbering can no longer be
 * trusted to continue: the room's numbering started again in a new process, or a shared store lost
 * its counter. Two positions with different epochs cannot be compared.
 *
 * <p>Immutable and thread-safe.
 *
 * @param epoch 1-64 ASCII letters, digits, {@code _}, {@code -} or {@code .}
 * @param seq the broadcast's number in the epoch, {@code >= 0}
 */
public record RoomPosition(String epoch, long seq) {

  private static final Pattern EPOCH = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final char[] DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  /**
   * Validates the position.
   *
   * @throws IllegalArgumentException naming the bad value: an epoch that is empty, longer than 64
   *     characters or holds other characters, or a negative {@code seq}
   */
  public RoomPosition {
    requireNonNull(epoch, "epoch");
    if (!EPOCH.matcher(epoch).matches()) {
      String shown = epoch.length() <= 64 ? epoch : epoch.substring(0, 64) + "...";
      throw new IllegalArgumentException(
          "epoch: \"" + shown + "\" (expected: 1-64 letters, digits, '_', '-' or '.')");
    }
    if (seq < 0) {
      throw new IllegalArgumentException("seq: " + seq + " (expected: >= 0)");
    }
  }

  /** A new random epoch of 10 base-36 characters, for a numbering that starts now. */
  public static String newEpoch() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] c = new char[10];
    for (int i = 0; i < c.length; i++) {
      c[i] = DIGITS[random.nextInt(DIGITS.length)];
    }
    return new String(c);
  }

  @Override
  public String toString() {
    return epoch + ":" + seq;
  }
}
