package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The chat on one server: its hub knows every connection, so presence, rooms and the recipients of
 * a private message are read from the hub and told to the listener at once, inside the lock the
 * handler holds (that lock is what keeps the updates in order).
 *
 * <p>Thread-safe once started.
 */
final class LocalChatDirectory implements ChatDirectory {

  private volatile Hub<ChatMessage> hub;
  private volatile Listener listener;
  private List<String> announcedRooms = List.of(); // guarded by the handler's rooms lock

  @Override
  public void start(Hub<ChatMessage> hub, Listener listener) {
    this.hub = requireNonNull(hub, "hub");
    this.listener = requireNonNull(listener, "listener");
  }

  @Override
  public List<String> rooms() {
    return hub.rooms().stream().sorted().toList();
  }

  @Override
  public void entered(Client client, String room) {
    presence(room);
  }

  @Override
  public void left(Client client, String room) {
    presence(room);
  }

  @Override
  public void closed(Client client, String room) {
    presence(room);
  }

  private void presence(String room) {
    Collection<Client> members = hub.members(room);
    if (!members.isEmpty()) {
      listener.presence(room, members.stream().map(ChatHandler::name).distinct().sorted().toList());
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
    return CompletableFuture.completedFuture(listener.directMessage(from, to, dm, true));
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "ChatDirectory[in memory]";
  }
}
