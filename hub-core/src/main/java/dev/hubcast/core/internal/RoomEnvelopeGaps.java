package dev.hubcast.core.internal;

import dev.hubcast.core.Hub;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds room broadcasts of another node that never reached the store, so that they are never lost
 * silently: each node numbers the room broadcasts it sends through the store (its own envelope
 * counter), a jump in one origin's numbers is a broadcast lost on the way or never stored, and what
 * the room does not read back from the store within {@link #SETTLE_MILLIS} is reported as that
 * origin's gap ({@code HubHandler.onBackplaneGap}). This covers what a room's own numbers cannot
 * show: the broadcasts a node numbered alone during an outage after which the store's numbering
 * started again in a new epoch. Thread-safe: each origin's state under its own lock.
 */
final class RoomEnvelopeGaps {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  /** How long a missing envelope may take to be read back by its room before it counts as lost. */
  static final long SETTLE_MILLIS = 3 * RoomNumbering.GAP_WAIT_MILLIS + 1000;

  /** A jump past this is counted at once instead of tracked number by number. */
  private static final long TRACKED = 10_000;

  private final String nodeId;
  private final Handlers<?> handlers;
  private final Counters counters;
  private final Map<String, Origin> origins = new ConcurrentHashMap<>();

  RoomEnvelopeGaps(String nodeId, Handlers<?> handlers, Counters counters) {
    this.nodeId = nodeId;
    this.handlers = handlers;
    this.counters = counters;
  }

  private static final class Origin {
    long last; // the highest envelope number seen; 0: none yet
    final NavigableSet<Long> missing = new TreeSet<>();
  }

  /** A room envelope from {@code origin}, numbered {@code sequence}, arrived. */
  void arrived(String origin, long sequence) {
    Origin o = origins.computeIfAbsent(origin, k -> new Origin());
    long from = 0;
    long to = 0;
    long untracked = 0;
    synchronized (o) {
      if (sequence <= o.last) {
        o.missing.remove(sequence); // late, or read back: not lost
        return;
      }
      if (o.last != 0 && sequence > o.last + 1) {
        from = o.last + 1;
        to = sequence - 1;
        if (to - from + 1 > TRACKED) {
          untracked = to - from + 1;
        } else {
          for (long s = from; s <= to; s++) {
            o.missing.add(s);
          }
        }
      }
      o.last = sequence;
    }
    if (untracked > 0) {
      report(origin, untracked);
    } else if (from > 0) {
      long first = from;
      long lastMissing = to;
      CompletableFuture.delayedExecutor(SETTLE_MILLIS, TimeUnit.MILLISECONDS)
          .execute(() -> settle(origin, first, lastMissing));
    }
  }

  /** A room read {@code origin}'s envelope {@code sequence} back from the store. */
  void readBack(String origin, long sequence) {
    Origin o = origins.get(origin);
    if (o != null) {
      synchronized (o) {
        o.missing.remove(sequence);
      }
    }
  }

  private void settle(String origin, long from, long to) {
    Origin o = origins.get(origin);
    int lost;
    synchronized (o) {
      NavigableSet<Long> gone = o.missing.subSet(from, true, to, true);
      lost = gone.size();
      gone.clear();
    }
    if (lost > 0) {
      report(origin, lost);
    }
  }

  private void report(String origin, long lost) {
    counters.backplaneGaps.add(lost);
    log.warn("hub {}: {} room broadcasts from node {} were never stored", nodeId, lost, origin);
    handlers.backplaneGap(origin, lost);
  }
}
