package dev.hubcast.core.backplane;

import dev.hubcast.core.RoomPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The {@link HistoryStore} of a sequenced {@link InMemoryBackplane.Group}: each room's epoch,
 * counter and last broadcasts, touched only on the group's delivery thread, where every answer is
 * made and every stored broadcast is delivered to the other members.
 */
final class GroupStore implements HistoryStore {
  private final InMemoryBackplane.Group group;
  private final int historySize;
  private final Map<String, RoomLog> rooms = new HashMap<>(); // delivery thread only

  GroupStore(InMemoryBackplane.Group group, int historySize) {
    this.group = group;
    this.historySize = historySize;
  }

  private static final class RoomLog {
    final String epoch = RoomPosition.newEpoch();
    long seq;
    final ArrayDeque<Envelope> kept = new ArrayDeque<>();

    RoomPosition position() {
      return new RoomPosition(epoch, seq);
    }
  }

  private RoomLog log(String room) {
    return rooms.computeIfAbsent(room, r -> new RoomLog());
  }

  void clear() {
    rooms.clear();
  }

  private <T> CompletionStage<T> onDelivery(Supplier<T> answer) {
    CompletableFuture<T> done = new CompletableFuture<>();
    try {
      group
          .delivery()
          .execute(
              () -> {
                try {
                  done.complete(answer.get());
                } catch (RuntimeException e) {
                  done.completeExceptionally(e);
                }
              });
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public CompletionStage<Appended> append(String room, Envelope envelope, RoomPosition expected) {
    return onDelivery(
        () -> {
          RoomLog log = log(room);
          if (expected != null
              && (!expected.epoch().equals(log.epoch) || expected.seq() <= log.seq)) {
            return new Appended(false, log.position());
          }
          log.seq = expected == null ? log.seq + 1 : expected.seq();
          Envelope numbered = envelope.numbered(log.seq, log.epoch);
          if (historySize > 0) {
            log.kept.addLast(numbered);
            if (log.kept.size() > historySize) {
              log.kept.removeFirst();
            }
          }
          group.deliver(numbered);
          return new Appended(true, log.position());
        });
  }

  @Override
  public CompletionStage<StoredRead> read(String room, long afterSequence, int limit) {
    return onDelivery(
        () -> {
          RoomLog log = log(room);
          List<Envelope> found = new ArrayList<>();
          for (Envelope e : log.kept) {
            if (found.size() >= limit) {
              break;
            }
            if (e.roomSequence() > afterSequence) {
              found.add(e);
            }
          }
          return new StoredRead(log.position(), found);
        });
  }

  @Override
  public CompletionStage<StoredRead> latest(String room, int limit) {
    return onDelivery(
        () -> {
          RoomLog log = log(room);
          ArrayDeque<Envelope> found = new ArrayDeque<>();
          Iterator<Envelope> newestFirst = log.kept.descendingIterator();
          while (found.size() < limit && newestFirst.hasNext()) {
            found.addFirst(newestFirst.next());
          }
          return new StoredRead(log.position(), new ArrayList<>(found));
        });
  }

  @Override
  public boolean publishes() {
    return true;
  }

  @Override
  public boolean keepsHistory() {
    return historySize > 0;
  }
}
