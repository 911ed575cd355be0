package dev.hubcast.examples.chat;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import dev.hubcast.examples.chat.ChatMessage.Rooms;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@link ChatDirectory}'s news, sent to this server's connections: what it tells the {@link
 * ChatHandler}'s listener ({@code rooms}, {@code dm}), to the connections that have had their
 * {@code welcome}.
 *
 * <p>Thread-safe; it takes the handler's locks (the rooms lock, a room's stripe), so the news is
 * ordered with this server's own joins, leaves and welcomes.
 */
final class ChatDeliveries implements ChatDirectory.Listener {

  /** Set on a connection once it has had its {@code welcome}. */
  static final String WELCOMED_KEY = "chat.welcomed";

  private final Hub<ChatMessage> hub;
  private final Object roomsLock;
  private final Function<String, Object> stripe;

  ChatDeliveries(Hub<ChatMessage> hub, Object roomsLock, Function<String, Object> stripe) {
    this.hub = hub;
    this.roomsLock = roomsLock;
    this.stripe = stripe;
  }

  @Override
  public void rooms(List<String> rooms) {
    if (hub.isShutdown()) {
      return;
    }
    Set<String> withLobby = new TreeSet<>(rooms);
    withLobby.add(ChatHandler.LOBBY); // always listed, so that there is always a way back
    synchronized (roomsLock) {
      sendTo(
          hub,
          welcomed(hub.clients()),
          hub.config().codec().encode(new Rooms(List.copyOf(withLobby))));
    }
  }

  @Override
  public boolean directMessage(String from, String to, Message dm, boolean onlyIfRecipientHere) {
    if (hub.isShutdown()) {
      return false;
    }
    List<Client> recipients = welcomed(hub.connectionsOf(to));
    if (recipients.isEmpty() && onlyIfRecipientHere) {
      return false;
    }
    // The recipient's tabs, then the sender's own (this one too); a dm to oneself once per tab.
    Set<String> ids = new LinkedHashSet<>();
    recipients.forEach(c -> ids.add(c.id()));
    welcomed(hub.connectionsOf(from)).forEach(c -> ids.add(c.id()));
    for (String id : ids) {
      hub.broadcastMessage(Target.connection(id), dm);
    }
    return !recipients.isEmpty();
  }

  @Override
  public String toString() {
    return "ChatDeliveries[" + hub.nodeId() + "]";
  }

  /**
   * The connections that have had their {@code welcome} and first {@code history}. Updates go to
   * these only, one by one rather than to {@code Target.all()} or {@code Target.user(...)}, so that
   * a connection's first message is always its welcome.
   */
  static List<Client> welcomed(Collection<Client> clients) {
    return clients.stream().filter(c -> c.attributes().containsKey(WELCOMED_KEY)).toList();
  }

  static void sendTo(Hub<ChatMessage> hub, Collection<Client> clients, Message frame) {
    for (Client c : clients) {
      hub.broadcastMessage(Target.connection(c.id()), frame);
    }
  }
}
