package dev.hubcast.core.backplane;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Message;
import dev.hubcast.core.Target;

/**
 * One broadcast as it crosses the {@link Backplane} from the node that made it to the others.
 *
 * <p>Immutable and thread-safe.
 *
 * @param originNode the id of the node that broadcast it
 * @param sequence the origin node's envelope counter, increasing by one per envelope from 1, so
 *     that receivers can tell how many envelopes they missed
 * @param target who receives it (the sender of an {@code allExcept} may sit on any node)
 * @param message the encoded message
 * @param roomSequence the broadcast's number in its room, or {@code -1} (not a room broadcast, or
 *     not numbered yet)
 * @param roomEpoch the epoch of {@code roomSequence} ({@link dev.hubcast.core.RoomPosition}), or
 *     {@code ""} when there is none
 * @param timestampMillis when the origin broadcast it, in milliseconds since the epoch
 */
public record Envelope(
    String originNode,
    long sequence,
    Target target,
    Message message,
    long roomSequence,
    String roomEpoch,
    long timestampMillis) {

  /** Validates the envelope. */
  public Envelope {
    requireNonNull(originNode, "originNode");
    requireNonNull(target, "target");
    requireNonNull(message, "message");
    requireNonNull(roomEpoch, "roomEpoch");
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence: " + sequence + " (expected: >= 1)");
    }
  }

  /** This envelope with a room number and epoch. */
  public Envelope numbered(long roomSequence, String roomEpoch) {
    return new Envelope(
        originNode, sequence, target, message, roomSequence, roomEpoch, timestampMillis);
  }
}
