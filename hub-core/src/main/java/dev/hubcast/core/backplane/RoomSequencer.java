package dev.hubcast.core.backplane;

import java.util.concurrent.CompletionStage;

/**
 * Numbers room broadcasts across all the nodes of a backplane, so that a room's sequence numbers
 * mean the same thing on every node: each call returns a number no other call returns for that
 * room, greater than every number returned before it (for that room) and greater than {@code
 * atLeast}.
 *
 * <p>Thread-safe and non-blocking: the stage completes later, on the sequencer's thread, and fails
 * fast when the medium is down (the hub then numbers the broadcast itself and delivers it on this
 * node only). Completions may come in any order.
 */
@FunctionalInterface
public interface RoomSequencer {

  /**
   * The next number of {@code room}.
   *
   * @param atLeast the highest number this node has seen or given in the room; the answer must be
   *     greater (after an outage, nodes numbered on their own, and the shared counter catches up
   *     with them)
   */
  CompletionStage<Long> next(String room, long atLeast);
}
