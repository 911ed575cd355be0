package dev.hubcast.core.internal;

import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import java.util.TreeMap;

/**
 * The state that puts one room's broadcasts in number order when a store numbers them across nodes:
 * numbers may arrive out of order, and a missing one is waited for a bounded time, then read from
 * the store. Owned by {@link RoomNumbering}; every field is guarded by the room's lock.
 */
final class RoomOrder {
  /** Broadcasts numbered but not yet delivered, by number: delivered strictly in order. */
  final TreeMap<Long, Arrival> held = new TreeMap<>();

  /** The highest number this node has given, reserved or seen in the room's epoch. */
  long assignedMax;

  /** A wait for a missing number is under way. */
  boolean gapTimerArmed;

  /** The wait for the missing number is over: deliver the next one held, skipping the gap. */
  boolean skipGap;

  /** A numbered broadcast waiting for its turn; a null message holds a number given to nothing. */
  record Arrival(Target target, Message message, long timestampMillis) {}
}
