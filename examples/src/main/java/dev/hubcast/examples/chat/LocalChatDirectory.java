package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The chat on one server: its hub knows every connection, so presence, rooms, the people online and
 * the recipients of a private message are read from the hub and told to the listener at once,
 * inside the lock the handler holds (that lock is what keeps the updates in order). Private
 * messages are kept in memory, the last {@value ChatDirectory#PRIVATE_HISTORY} of each pair, for as
 * long as the server runs.
 *
 * <p>Thread-safe once started.
 */
final class LocalChatDirectory implements ChatDirectory {

  private volatile Hub<ChatMessage> hub;
  private volatile Listener listener;
  // The hub's rooms with history, as last read by refresh(): reading them takes each room's lock,
  // which rooms() must not wait for (the handler calls it holding its rooms lock, and holding a
  // room's lock when it greets a connection). Refreshes take turns, so the last one read is kept.
  private final Object refreshing = new Object();
  private volatile Set<String> withHistory = Set.of();
  private List<String> announcedRooms = List.of(); // guarded by the handler's rooms lock
  // Each pair's last PRIVATE_HISTORY dms, by "a b" (a <= b); a user's pairs, to find them.
  private final Map<String, ArrayDeque<Message>> conversations = new HashMap<>(); // guarded by it
  private final Map<String, Set<String>> pairsOf = new HashMap<>(); // guarded by conversations

  @Override
  public void start(Hub<ChatMessage> hub, Listener listener) {
    this.hub = requireNonNull(hub, "hub");
    this.listener = requireNonNull(listener, "listener");
  }

  @Override
  public List<String> rooms() {
    Set<String> rooms = new TreeSet<>(hub.rooms());
    rooms.addAll(withHistory); // kept while the hub keeps their history
    rooms.remove(ChatHandler.PEOPLE); // not a room people talk in
    return List.copyOf(rooms);
  }

  @Override
  public CompletionStage<List<Message>> privateHistory(String user) {
    List<Message> kept = new ArrayList<>();
    synchronized (conversations) {
      for (String pair : pairsOf.getOrDefault(user, Set.of())) {
        kept.addAll(conversations.get(pair));
      }
    }
    return CompletableFuture.completedFuture(kept);
  }

  private void keep(String from, String to, Message dm) {
    String pair = from.compareTo(to) <= 0 ? from + " " + to : to + " " + from;
    synchronized (conversations) {
      ArrayDeque<Message> kept = conversations.computeIfAbsent(pair, p -> new ArrayDeque<>());
      kept.addLast(dm);
      if (kept.size() > PRIVATE_HISTORY) {
        kept.removeFirst();
      }
      pairsOf.computeIfAbsent(from, u -> new HashSet<>()).add(pair);
      pairsOf.computeIfAbsent(to, u -> new HashSet<>()).add(pair);
    }
  }

  @Override
  public void entered(Client client, String room) {}

  @Override
  public void left(Client client, String room) {}

  @Override
  public void closed(Client client, String room) {}

  /**
   * Reads the hub's rooms with history. A room is only without members, listed for its history
   * alone, after a connection left it or closed, each of which refreshes this before it settles.
   */
  @Override
  public void refresh() {
    synchronized (refreshing) {
      withHistory = hub.roomsWithHistory();
    }
  }

  @Override
  public void settled() {
    List<String> rooms = rooms();
    if (!rooms.equals(announcedRooms)) {
      announcedRooms = rooms;
      listener.rooms(rooms);
    }
  }

  @Override
  public CompletionStage<Boolean> directMessage(String from, String to, Message dm) {
    boolean delivered = listener.directMessage(from, to, dm, true);
    if (delivered) {
      keep(from, to, dm);
    }
    return CompletableFuture.completedFuture(delivered);
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "ChatDirectory[in memory]";
  }
}
