package dev.hubcast.core.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.Replay;
import dev.hubcast.core.Replay.Outcome;
import dev.hubcast.core.RoomMark;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.HistoryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a connection to a room from a position: decides, all or nothing, whether what came after it
 * can be replayed, and queues the answer atomically with the room's live broadcasts. From this
 * node's history when it holds the answer (under the room's lock, at once); otherwise from the
 * store, while the room keeps what it delivers meanwhile for the joining connection (see {@link
 * Room#joining}). Thread-safe.
 */
final class Resumes<M> {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final String nodeId;
  private final ConnectionRegistry registry;
  private final RoomDirectory rooms;
  private final RoomNumbering<M> numbering;
  private final HistoryStore store; // null: this node's history is the history
  private final MessageCodec<M> codec;
  private final int limit;
  private final Counters counters;

  Resumes(
      String nodeId,
      ConnectionRegistry registry,
      RoomDirectory rooms,
      RoomNumbering<M> numbering,
      MessageCodec<M> codec,
      int limit,
      Counters counters) {
    this.nodeId = nodeId;
    this.registry = registry;
    this.rooms = rooms;
    this.numbering = numbering;
    this.store = numbering.store();
    this.codec = codec;
    this.limit = limit;
    this.counters = counters;
  }

  CompletableFuture<Optional<Replay>> joinAndResume(
      String connectionId,
      String roomName,
      RoomPosition since,
      Function<? super Replay, ? extends M> answer) {
    requireNonNull(connectionId, "connectionId");
    RoomDirectory.checkRoomName(roomName);
    DefaultClient c = registry.get(connectionId);
    if (c == null || c.state != DefaultClient.State.OPEN) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Room r = rooms.roomFor(roomName);
    synchronized (r.lock) {
      if (r.joining.containsKey(c)) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(
                "connection " + connectionId + " is already joining room " + roomName));
      }
      Replay local;
      try {
        local = fromHere(r, since);
      } catch (IllegalArgumentException bad) {
        return CompletableFuture.failedFuture(bad);
      }
      if (local != null) {
        return CompletableFuture.completedFuture(finish(r, c, local, List.of(), answer));
      }
      r.joining.put(c, Room.newJoining());
    }
    CompletableFuture<Optional<Replay>> done = new CompletableFuture<>();
    CompletionStage<Replay> fetched;
    try {
      fetched = fromStore(r.name, since);
    } catch (RuntimeException e) {
      fetched = CompletableFuture.failedFuture(e);
    }
    fetched.whenComplete(
        (replay, failure) -> {
          try {
            done.complete(fetched(r, c, since, replay, failure, answer));
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        });
    return done;
  }

  /**
   * The answer from this node's history, or null when only the store can give it. Holds the room's
   * lock.
   *
   * @throws IllegalArgumentException if {@code since} is beyond the room's latest position
   */
  private Replay fromHere(Room r, RoomPosition since) {
    RoomPosition now = r.position();
    long clock = System.currentTimeMillis();
    if (store == null) {
      if (since == null) {
        return new Replay(Outcome.JOINED, Optional.empty(), now, r.history.latest(limit, clock));
      }
      List<HistoryEntry> after = r.history.after(since.seq(), clock);
      Outcome outcome = decide(since, now, after, r.history.keeps());
      return outcome == Outcome.RECOVERED
          ? new Replay(outcome, Optional.of(since), now, after)
          : new Replay(outcome, Optional.of(since), now, r.history.latest(limit, clock));
    }
    // With a store, the store answers: only it knows whether the room's numbering still stands
    // (a store that lost the room has a new epoch this node has not heard of yet).
    return null;
  }

  /** The answer from the store. */
  private CompletionStage<Replay> fromStore(String room, RoomPosition since) {
    if (since == null) {
      return store
          .latest(room, limit)
          .thenApply(
              l -> new Replay(Outcome.JOINED, Optional.empty(), l.latest(), entries(room, l)));
    }
    return store
        .read(room, since.seq(), limit + 1)
        .thenCompose(
            read -> {
              List<HistoryEntry> after = entries(room, read);
              Outcome outcome = decide(since, read.latest(), after, store.keepsHistory());
              if (outcome == Outcome.RECOVERED) {
                return CompletableFuture.completedFuture(
                    new Replay(outcome, Optional.of(since), read.latest(), after));
              }
              return store
                  .latest(room, limit)
                  .thenApply(
                      l -> new Replay(outcome, Optional.of(since), l.latest(), entries(room, l)));
            });
  }

  private static List<HistoryEntry> entries(String room, HistoryStore.StoredRead read) {
    List<HistoryEntry> entries = new ArrayList<>(read.entries().size());
    for (Envelope e : read.entries()) {
      if (e.roomEpoch().equals(read.latest().epoch()) && e.roomSequence() > 0) {
        RoomMark mark = new RoomMark(room, new RoomPosition(e.roomEpoch(), e.roomSequence()));
        entries.add(
            new HistoryEntry(e.roomSequence(), e.timestampMillis(), e.message().withMark(mark)));
      }
    }
    return entries;
  }

  /**
   * All or nothing: whether {@code after} (the entries held after {@code since}, oldest first) are
   * exactly what came after it, and if not, why.
   *
   * @throws IllegalArgumentException if {@code since} is beyond {@code latest} in its epoch
   */
  Outcome decide(RoomPosition since, RoomPosition latest, List<HistoryEntry> after, boolean keeps) {
    if (!since.epoch().equals(latest.epoch())) {
      return Outcome.EPOCH_CHANGED;
    }
    if (since.seq() > latest.seq()) {
      throw new IllegalArgumentException(
          "since: " + since + " is beyond the room's latest position " + latest);
    }
    if (since.seq() == latest.seq()) {
      return Outcome.RECOVERED;
    }
    if (!keeps) {
      return Outcome.NO_HISTORY;
    }
    if (latest.seq() - since.seq() > limit) {
      return Outcome.TOO_MANY;
    }
    if (after.isEmpty() || after.get(0).sequence() != since.seq() + 1) {
      return Outcome.TOO_OLD;
    }
    long expected = since.seq() + 1;
    for (HistoryEntry e : after) {
      if (e.sequence() > latest.seq()) {
        break;
      }
      if (e.sequence() != expected) {
        return Outcome.MISSING;
      }
      expected++;
    }
    return expected - 1 == latest.seq() ? Outcome.RECOVERED : Outcome.MISSING;
  }

  /** The store has answered (or failed): finish the join under the room's lock. */
  private Optional<Replay> fetched(
      Room r,
      DefaultClient c,
      RoomPosition since,
      Replay replay,
      Throwable failure,
      Function<? super Replay, ? extends M> answer) {
    synchronized (r.lock) {
      List<HistoryEntry> seen = r.joining.remove(c);
      if (failure != null) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof IllegalArgumentException bad) {
          throw bad;
        }
        log.warn(
            "hub {}: room {}: the history store could not be read; answering from this node: {}",
            nodeId,
            r.name,
            cause.toString());
        if (r.epoch == null) {
          r.adoptEpoch(RoomPosition.newEpoch());
        }
        replay = fromHereAnyway(r, since);
        seen = List.of();
      } else {
        String before = r.epoch;
        if (!replay.position().epoch().equals(before)) {
          if (!r.adoptEpoch(replay.position().epoch())) {
            replay = fromHereAnyway(r, since); // the store answered from a retired epoch
          }
          seen = List.of(); // delivered in another epoch than the answer's
        }
        if (r.history.lastSequence() == 0 && replay.position().epoch().equals(r.epoch)) {
          // A room this node has just met: its numbering starts where the store's stands.
          r.history.advance(replay.position().seq());
          r.order.assignedMax = Math.max(r.order.assignedMax, replay.position().seq());
        }
      }
      Optional<Replay> done = finish(r, c, replay, seen, answer);
      numbering.drainInOrder(r); // what the room held back for a baseline may now be in order
      return done;
    }
  }

  /** The answer from this node's history whatever it holds. Holds the room's lock. */
  private Replay fromHereAnyway(Room r, RoomPosition since) {
    RoomPosition now = r.position();
    long clock = System.currentTimeMillis();
    List<HistoryEntry> latest = r.history.latest(limit, clock);
    if (since == null) {
      return new Replay(Outcome.JOINED, Optional.empty(), now, latest);
    }
    List<HistoryEntry> after = r.history.after(since.seq(), clock);
    Outcome outcome;
    try {
      outcome = decide(since, now, after, r.history.keeps());
    } catch (IllegalArgumentException beyond) {
      outcome = Outcome.MISSING; // this node is behind what the client saw, and cannot know more
    }
    return outcome == Outcome.RECOVERED
        ? new Replay(outcome, Optional.of(since), now, after)
        : new Replay(outcome, Optional.of(since), now, latest);
  }

  /**
   * Enters {@code c} into the room and queues the answer, then what the room delivered while the
   * store was read and the answer did not cover. Holds the room's lock.
   */
  private Optional<Replay> finish(
      Room r,
      DefaultClient c,
      Replay replay,
      List<HistoryEntry> seen,
      Function<? super Replay, ? extends M> answer) {
    Message made = null;
    if (answer != null) {
      M m = answer.apply(replay); // throws to the caller: nothing has changed
      // Stamped with the position it brings the client to: a transport's resume id after it.
      made = m == null ? null : codec.encode(m).withMark(new RoomMark(r.name, replay.position()));
    }
    boolean isNew = false;
    synchronized (c) {
      if (c.state != DefaultClient.State.OPEN) {
        return Optional.empty();
      }
      if (c.inRoom(r.name)) {
        r.members.remove(c); // in again, from the position given
      } else {
        isNew = true;
        Room entered = rooms.addMember(r.name, c, r);
        if (entered != r) {
          return Optional.empty(); // cannot happen while joining: the room is not evicted
        }
        c.addRoom(r.name);
      }
    }
    long floor = replay.position().seq();
    int queued = 0;
    FanOut.begin();
    try {
      if (made != null) {
        c.outbox.offer(made);
        queued++;
      } else if (answer == null
          && (replay.outcome() == Outcome.RECOVERED || replay.outcome() == Outcome.JOINED)) {
        for (HistoryEntry e : replay.entries()) {
          c.outbox.offer(e.message());
          queued++;
        }
      }
      for (HistoryEntry e : seen) {
        if (e.sequence() > floor) {
          c.outbox.offer(e.message());
          floor = e.sequence();
          queued++;
        }
      }
    } finally {
      FanOut.end();
    }
    r.members.add(c);
    if (floor > r.history.lastSequence()) {
      r.floors.put(c, floor); // this node has not delivered these yet; they come live later
    } else {
      r.floors.remove(c);
    }
    counters.resumes[replay.outcome().ordinal()].increment();
    counters.framesReplayed.add(queued);
    if (isNew) {
      rooms.entered(r.name, c); // presence's snapshot comes after the answer
    }
    return Optional.of(replay);
  }
}
