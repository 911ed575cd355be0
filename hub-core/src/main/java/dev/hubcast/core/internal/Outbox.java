package dev.hubcast.core.internal;

import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.Message;
import dev.hubcast.core.SlowConsumerPolicy;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.SendCompletion;
import java.util.ArrayDeque;

/**
 * One connection's outgoing frames: queued here, then handed to the transport a window at a time.
 * Counts every frame and byte from offer to completion, and applies the slow-consumer policy when a
 * new frame would pass the limits.
 *
 * <p>Thread-safe. Any number of threads offer; one thread at a time drains (whoever finds the
 * outbox idle), so frames reach {@link Connection#send} in the order offers returned, without
 * holding the lock during the send. The outbox itself is the {@link SendCompletion} of every send
 * (no allocation per frame besides the queue slot); it knows its frames in flight, so a completion
 * for any other frame (a second one, or one never sent) is reported as a violation and changes
 * nothing.
 */
final class Outbox implements SendCompletion {

  /** Outcome of one offer. */
  enum Offer {
    QUEUED,
    DROPPED,
    REFUSED
  }

  /**
   * Frames and bytes handed to the transport and not yet completed, at most. Keeping the window
   * small keeps most of a stalled client's backlog here, where DROP_OLDEST can still drop it; the
   * transport completes a send once the frame is written to the socket, so a healthy client never
   * fills it.
   */
  static final int WINDOW_FRAMES = 64;

  static final long WINDOW_BYTES = 256 * 1024;

  private final DefaultClient client;
  private final Connection connection;
  private final OutboxEvents events;
  private final Counters counters;
  private final long maxBytes;
  private final int maxFrames;
  private final SlowConsumerPolicy policy;

  // All guarded by this.
  private ArrayDeque<Message> queue; // made on the first offer: an idle connection needs none
  private ArrayDeque<Message> inFlight; // sent, not completed; made on the first send
  // The frame whose send() is under way, counted in flight but not yet recorded in inFlight: a
  // transport that completes it within send() (most sends, at once) never touches the deque.
  private Message sending;
  private boolean sendingDone; // completed within its send()
  private int pendingFrames;
  private long pendingBytes;
  private int inFlightFrames;
  private long inFlightBytes;
  private boolean draining;
  private boolean accepting = true;
  private boolean discarded;
  private Runnable whenDrained;

  Outbox(
      DefaultClient client,
      Connection connection,
      OutboxEvents events,
      Counters counters,
      long maxBytes,
      int maxFrames,
      SlowConsumerPolicy policy) {
    this.client = client;
    this.connection = connection;
    this.events = events;
    this.counters = counters;
    this.maxBytes = maxBytes;
    this.maxFrames = maxFrames;
    this.policy = policy;
  }

  /** Queues a frame, or applies the slow-consumer policy. Never blocks, never throws. */
  Offer offer(Message frame) {
    int length = frame.length();
    boolean disconnect = false;
    Message direct = null; // sent at once, past the queue
    synchronized (this) {
      if (!accepting) {
        return Offer.REFUSED;
      }
      if (pendingFrames + 1 > maxFrames || pendingBytes + length > maxBytes) {
        switch (policy) {
          case DISCONNECT -> disconnect = true;
          case DROP_NEWEST -> {
            counters.framesDropped.increment();
            return Offer.DROPPED;
          }
          case DROP_OLDEST -> {
            while (hasQueued()
                && (pendingFrames + 1 > maxFrames || pendingBytes + length > maxBytes)) {
              Message old = queue.pollFirst();
              pendingFrames--;
              pendingBytes -= old.length();
              counters.framesDropped.increment();
            }
            if (pendingFrames + 1 > maxFrames || pendingBytes + length > maxBytes) {
              counters.framesDropped.increment();
              return Offer.DROPPED;
            }
          }
          default -> throw new AssertionError(policy);
        }
      }
      if (!disconnect) {
        pendingFrames++;
        pendingBytes += length;
        if (!draining
            && !hasQueued()
            && inFlightFrames < WINDOW_FRAMES
            && inFlightBytes < WINDOW_BYTES) {
          // The usual case: nothing waits and the window has room, so straight into flight.
          draining = true;
          startSending(frame);
          direct = frame;
        } else {
          if (queue == null) {
            queue = new ArrayDeque<>(8);
          }
          queue.addLast(frame);
          if (draining) {
            return Offer.QUEUED;
          }
          draining = true;
        }
      }
    }
    if (disconnect) {
      counters.slowConsumerCloses.increment();
      events.slowConsumer(client, maxBytes, maxFrames);
      return Offer.REFUSED;
    }
    if (direct != null) {
      send(direct);
    }
    drain();
    return Offer.QUEUED;
  }

  /**
   * Counts {@code frame} in flight, about to be sent by the draining thread; {@link #settle}
   * records it afterwards unless it completed meanwhile. Holds this.
   */
  private void startSending(Message frame) {
    inFlightFrames++;
    inFlightBytes += frame.length();
    sending = frame;
    sendingDone = false;
  }

  /** After a send: records the frame in flight if it has not completed yet. Holds this. */
  private void settle() {
    if (sending != null) {
      if (!sendingDone) {
        if (inFlight == null) {
          inFlight = new ArrayDeque<>(8);
        }
        inFlight.addLast(sending);
      }
      sending = null;
    }
  }

  /** Hands {@code frame}, in flight, to the transport. Not holding this. */
  private void send(Message frame) {
    try {
      connection.send(frame, this);
    } catch (RuntimeException e) {
      // An adapter that throws breaks its contract; treat it as a failed send, once (unless the
      // adapter completed it before throwing).
      events.violation(client, HubMetrics.TransportViolation.SEND_THREW);
      complete(frame, e);
    }
  }

  private void drain() {
    while (true) {
      Message next = null;
      Runnable done = null;
      synchronized (this) {
        settle();
        if (!discarded
            && hasQueued()
            && inFlightFrames < WINDOW_FRAMES
            && inFlightBytes < WINDOW_BYTES) {
          next = queue.pollFirst();
          startSending(next);
        } else {
          draining = false;
          if (pendingFrames == 0 && whenDrained != null) {
            done = whenDrained;
            whenDrained = null;
          }
        }
      }
      if (next == null) {
        if (done != null) {
          done.run();
        }
        return;
      }
      send(next);
    }
  }

  @Override
  public void complete(Message frame, Throwable failure) {
    int length = frame.length();
    boolean startDrain = false;
    Runnable done = null;
    synchronized (this) {
      if (!takeInFlight(frame)) {
        frame = null; // completed twice, or never sent: the accounting stays as it is
      } else {
        inFlightFrames--;
        inFlightBytes -= length;
        pendingFrames--;
        pendingBytes -= length;
        if (!draining && !discarded && hasQueued()) {
          draining = true;
          startDrain = true;
        } else if (!draining && pendingFrames == 0 && whenDrained != null) {
          done = whenDrained;
          whenDrained = null;
        }
      }
    }
    if (frame == null) {
      events.violation(client, HubMetrics.TransportViolation.COMPLETION_NOT_IN_FLIGHT);
      return;
    }
    if (failure == null) {
      counters.framesOut.increment();
      counters.bytesOut.add(length);
    } else {
      counters.sendFailures.increment();
      events.sendFailed(client, failure);
    }
    if (startDrain) {
      drain();
    }
    if (done != null) {
      done.run();
    }
  }

  /**
   * Stops taking frames; runs {@code action} once everything queued and in flight has completed (at
   * once if nothing is pending). Used by graceful shutdown.
   */
  void closeWhenDrained(Runnable action) {
    boolean now;
    synchronized (this) {
      accepting = false;
      now = pendingFrames == 0 && !draining;
      if (!now) {
        whenDrained = action;
      }
    }
    if (now) {
      action.run();
    }
  }

  /**
   * Stops taking and sending frames and drops what is still queued (counted as dropped). Frames
   * already in flight complete as the transport reports them.
   */
  void discard() {
    int dropped;
    synchronized (this) {
      accepting = false;
      discarded = true;
      whenDrained = null;
      dropped = queue == null ? 0 : queue.size();
      if (queue != null) {
        for (Message f : queue) {
          pendingBytes -= f.length();
        }
        queue.clear();
      }
      pendingFrames -= dropped;
    }
    if (dropped > 0) {
      counters.framesDropped.add(dropped);
    }
  }

  /**
   * Takes {@code frame} (this instance: equal frames may be in flight at once) out of the frames in
   * flight, recorded or being sent; false if it is not among them. Completions come in send order,
   * so it is nearly always the first recorded, or the one being sent. Holds this.
   */
  private boolean takeInFlight(Message frame) {
    if (inFlight != null
        && inFlight.peekFirst() == frame) { // sent before: the first, nearly always
      inFlight.pollFirst();
      return true;
    }
    if (frame == sending && !sendingDone) { // completed within its send(): the usual case
      sendingDone = true;
      return true;
    }
    if (inFlight == null) {
      return false;
    }
    for (var it = inFlight.iterator(); it.hasNext(); ) {
      if (it.next() == frame) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  /** Whether frames wait here for the transport. Holds this. */
  private boolean hasQueued() {
    return queue != null && !queue.isEmpty();
  }

  /** Frames handed to the transport and not completed yet. */
  synchronized int inFlightFrames() {
    return inFlightFrames;
  }

  synchronized int pendingFrames() {
    return pendingFrames;
  }

  synchronized long pendingBytes() {
    return pendingBytes;
  }
}
