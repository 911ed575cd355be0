package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.Client;
import dev.hubcast.core.Frame;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.MessageDecodingException;
import dev.hubcast.core.Target;
import dev.hubcast.examples.chat.ChatMessage.Dm;
import dev.hubcast.examples.chat.ChatMessage.ErrorReply;
import dev.hubcast.examples.chat.ChatMessage.History;
import dev.hubcast.examples.chat.ChatMessage.Join;
import dev.hubcast.examples.chat.ChatMessage.Message;
import dev.hubcast.examples.chat.ChatMessage.Presence;
import dev.hubcast.examples.chat.ChatMessage.Rooms;
import dev.hubcast.examples.chat.ChatMessage.Say;
import dev.hubcast.examples.chat.ChatMessage.Welcome;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The chat's rules, as a {@link HubHandler}: rooms with history, presence, private messages and
 * error replies. The protocol is in {@code docs/chat-protocol.md}.
 *
 * <p>Each connection is in exactly one room at a time, kept in its {@link Client#attributes()}; it
 * starts in {@value #LOBBY}. Everything said in a room is a {@link Hub#broadcastSequenced
 * sequenced} room broadcast, so the hub numbers it and keeps it in the room's history. Presence and
 * private messages are sent to connections and users, outside the history.
 *
 * <p>Thread-safe. The hub calls it on its transport's I/O threads, one call at a time per
 * connection and concurrently across connections; nothing here blocks. Entering a room (join,
 * history read, history sent) and saying something in it take the same per-room lock (one of a
 * fixed set of stripes), so a newcomer's {@code history} is never overtaken or repeated by a live
 * {@code message}, and the members' {@code presence} updates go out in the order they were taken.
 */
public final class ChatHandler implements HubHandler<ChatMessage> {

  /** The room every connection starts in. */
  public static final String LOBBY = "lobby";

  /** The longest text of a {@code say} or {@code dm}, in characters (Unicode code points). */
  public static final int MAX_TEXT_CHARS = 2000;

  /** User names and room names: 1-32 ASCII letters, digits, {@code _} or {@code -}. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  private static final String ROOM_KEY = "chat.room";
  private static final String WELCOMED_KEY = "chat.welcomed";
  private static final int STRIPES = 64;

  private final Clock clock;
  private final Object[] stripes = new Object[STRIPES];
  private final Object roomsLock = new Object();
  private List<String> announcedRooms = List.of(); // guarded by roomsLock

  /** A handler that stamps messages with the system clock. */
  public ChatHandler() {
    this(Clock.systemUTC());
  }

  /** A handler that stamps messages with {@code clock}. */
  public ChatHandler(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  /**
   * The chat's {@link dev.hubcast.core.Authenticator}: the user name is the {@code name} query
   * parameter; a missing or malformed one is refused with 400 before the upgrade.
   */
  public static AuthResult authenticate(Handshake handshake) {
    return handshake
        .queryParam("name")
        .filter(name -> NAME.matcher(name).matches())
        .map(AuthResult::user)
        .orElseGet(
            () -> AuthResult.refuse(400, "name: 1-32 letters, digits, '_' or '-' (?name=ada)"));
  }

  @Override
  public void onOpen(Hub<ChatMessage> hub, Client client) {
    synchronized (stripe(LOBBY)) {
      hub.join(client.id(), LOBBY);
      client.attributes().put(ROOM_KEY, LOBBY);
      // Under the rooms lock: every later rooms update reaches it, and none comes before this.
      synchronized (roomsLock) {
        hub.send(client.id(), new Welcome(name(client), LOBBY, sorted(hub.rooms())));
        client.attributes().put(WELCOMED_KEY, Boolean.TRUE);
      }
      sendHistory(hub, client, LOBBY);
      sendPresence(hub, LOBBY);
    }
    announceRooms(hub);
  }

  @Override
  public void onMessage(Hub<ChatMessage> hub, Client client, ChatMessage message) {
    if (hub.isShutdown()) {
      return;
    }
    if (message instanceof Say) {
      say(hub, client, ((Say) message).text());
    } else if (message instanceof Join) {
      join(hub, client, ((Join) message).room());
    } else if (message instanceof Dm) {
      Dm dm = (Dm) message;
      directMessage(hub, client, dm.to(), dm.text());
    } else {
      String type = ChatMessage.typeOf(message);
      reply(hub, client, "bad-request", "\"" + type + "\" is sent by the server, not by clients");
    }
  }

  @Override
  public void onDecodeError(Hub<ChatMessage> hub, Client client, MessageDecodingException error) {
    // The hub has logged it (once per connection, without the payload); answer and stay open.
    String code =
        error instanceof ChatDecodingException
            ? ((ChatDecodingException) error).code()
            : "bad-request";
    reply(hub, client, code, error.getMessage());
  }

  @Override
  public void onClose(Hub<ChatMessage> hub, Client client, int code, String reason) {
    if (hub.isShutdown()) {
      return; // everyone is leaving: no one to tell
    }
    // The hub has already taken the connection out of its room; tell the ones left.
    Object room = client.attributes().get(ROOM_KEY);
    if (room instanceof String) {
      synchronized (stripe((String) room)) {
        sendPresence(hub, (String) room);
      }
    }
    announceRooms(hub);
  }

  private void say(Hub<ChatMessage> hub, Client client, String text) {
    if (badText(hub, client, "say", text)) {
      return;
    }
    String room = currentRoom(client);
    String from = name(client);
    synchronized (stripe(room)) {
      hub.broadcastSequenced(Target.room(room), seq -> new Message(room, from, text, seq, now()));
    }
  }

  private void join(Hub<ChatMessage> hub, Client client, String room) {
    if (!NAME.matcher(room).matches()) {
      reply(hub, client, "bad-request", "join: room names are 1-32 letters, digits, '_' or '-'");
      return;
    }
    String old = currentRoom(client);
    if (room.equals(old)) {
      synchronized (stripe(room)) {
        sendHistory(hub, client, room);
        sendPresence(hub, room);
      }
      return;
    }
    // Leave first: after the new room's history nothing more comes from the old one.
    synchronized (stripe(old)) {
      hub.leave(client.id(), old);
      sendPresence(hub, old);
    }
    if (!enter(hub, client, room)) {
      reply(hub, client, "room-limit", "join: this server has no room for another room");
      enter(hub, client, old);
    }
    announceRooms(hub);
  }

  /** Joins a room and queues its history; {@code false} if the hub has no room for it. */
  private boolean enter(Hub<ChatMessage> hub, Client client, String room) {
    synchronized (stripe(room)) {
      try {
        hub.join(client.id(), room);
      } catch (IllegalStateException full) {
        return false;
      }
      client.attributes().put(ROOM_KEY, room);
      sendHistory(hub, client, room);
      sendPresence(hub, room);
      return true;
    }
  }

  private void directMessage(Hub<ChatMessage> hub, Client client, String to, String text) {
    if (badText(hub, client, "dm", text)) {
      return;
    }
    String from = name(client);
    List<Client> recipients =
        NAME.matcher(to).matches() ? welcomed(hub.userClients(to)) : List.of();
    if (recipients.isEmpty()) {
      String shown = to.length() <= 32 ? to : to.substring(0, 32) + "...";
      reply(hub, client, "unknown-user", "dm: nobody named \"" + shown + "\" is here");
      return;
    }
    Frame frame = codec(hub).encode(new Dm(from, to, text, now())); // once for every tab
    sendTo(hub, recipients, frame);
    if (!to.equals(from)) {
      sendTo(hub, welcomed(hub.userClients(from)), frame); // the sender's own tabs, this one too
    }
  }

  private boolean badText(Hub<ChatMessage> hub, Client client, String type, String text) {
    if (text.isBlank()) {
      reply(hub, client, "bad-request", type + ": \"text\" is empty");
      return true;
    }
    int chars = text.codePointCount(0, text.length());
    if (chars > MAX_TEXT_CHARS) {
      reply(
          hub,
          client,
          "too-long",
          type + ": \"text\" has " + chars + " characters (at most " + MAX_TEXT_CHARS + ")");
      return true;
    }
    return false;
  }

  /** Queues the room's history for one connection; call it holding the room's stripe. */
  private void sendHistory(Hub<ChatMessage> hub, Client client, String room) {
    MessageCodec<ChatMessage> codec = codec(hub);
    List<Message> messages = new ArrayList<>();
    for (HistoryEntry entry : hub.history(room, 0).entries()) {
      ChatMessage message = codec.decode(entry.frame()); // only messages are room broadcasts
      if (message instanceof Message) {
        messages.add((Message) message);
      }
    }
    hub.send(client.id(), new History(room, messages));
  }

  /** Tells every member of a room who is in it; call it holding the room's stripe. */
  private void sendPresence(Hub<ChatMessage> hub, String room) {
    Collection<Client> members = hub.members(room);
    if (members.isEmpty()) {
      return;
    }
    List<String> names = members.stream().map(ChatHandler::name).distinct().sorted().toList();
    sendTo(hub, members, codec(hub).encode(new Presence(room, names))); // encoded once
  }

  /** Tells everyone the rooms that exist, when they have changed since last told. */
  private void announceRooms(Hub<ChatMessage> hub) {
    synchronized (roomsLock) {
      List<String> rooms = sorted(hub.rooms());
      if (!rooms.equals(announcedRooms)) {
        announcedRooms = rooms;
        sendTo(hub, welcomed(hub.clients()), codec(hub).encode(new Rooms(rooms)));
      }
    }
  }

  /**
   * The connections that have had their {@code welcome}. Updates go to these only, one by one
   * rather than to {@code Target.all()} or {@code Target.user(...)}, so that a connection's first
   * message is always its welcome.
   */
  private static List<Client> welcomed(Collection<Client> clients) {
    return clients.stream().filter(c -> c.attributes().containsKey(WELCOMED_KEY)).toList();
  }

  private static void sendTo(Hub<ChatMessage> hub, Collection<Client> clients, Frame frame) {
    for (Client c : clients) {
      hub.broadcastFrame(Target.connection(c.id()), frame);
    }
  }

  private void reply(Hub<ChatMessage> hub, Client client, String code, String message) {
    hub.send(client.id(), new ErrorReply(code, message));
  }

  private Object stripe(String room) {
    return stripes[Math.floorMod(room.hashCode(), STRIPES)];
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static MessageCodec<ChatMessage> codec(Hub<ChatMessage> hub) {
    return hub.config().codec();
  }

  private static String currentRoom(Client client) {
    Object room = client.attributes().get(ROOM_KEY);
    return room instanceof String ? (String) room : LOBBY;
  }

  private static String name(Client client) {
    return client.user().orElse("?");
  }

  private static List<String> sorted(Collection<String> names) {
    return names.stream().sorted().toList();
  }

  @Override
  public String toString() {
    return "ChatHandler";
  }
}
