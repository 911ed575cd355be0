package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.Client;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.HistoryRead;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.MessageDecodingException;
import dev.hubcast.core.Target;
import dev.hubcast.examples.chat.ChatMessage.Dm;
import dev.hubcast.examples.chat.ChatMessage.ErrorReply;
import dev.hubcast.examples.chat.ChatMessage.Gap;
import dev.hubcast.examples.chat.ChatMessage.History;
import dev.hubcast.examples.chat.ChatMessage.Join;
import dev.hubcast.examples.chat.ChatMessage.Presence;
import dev.hubcast.examples.chat.ChatMessage.RoomMessage;
import dev.hubcast.examples.chat.ChatMessage.Rooms;
import dev.hubcast.examples.chat.ChatMessage.Say;
import dev.hubcast.examples.chat.ChatMessage.Welcome;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The chat's rules, as a {@link HubHandler}: rooms with history, presence, private messages and
 * error replies. The protocol is in {@code docs/chat-protocol.md}.
 *
 * <p>Each connection is in exactly one room at a time, kept in its {@link Client#attributes()}; it
 * starts in {@value #LOBBY}. Everything said in a room is a {@link Hub#broadcastSequenced
 * sequenced} room broadcast, so the hub numbers it and keeps it in the room's history (with a
 * backplane, on every node). Presence, the rooms list and private messages go through a {@link
 * ChatDirectory}, outside the history: in memory for a chat on one server, in Redis for several.
 *
 * <p>Thread-safe. The hub calls it on its transport's I/O threads, one call at a time per
 * connection and concurrently across connections; the directory calls its listener on the Redis
 * thread; nothing here blocks. Entering a room (join, history read, history sent) and saying
 * something in it take the same per-room lock (one of a fixed set of stripes), so a newcomer's
 * {@code history} is never overtaken or repeated by a live {@code message}, and the members' {@code
 * presence} updates go out in the order they were taken. {@link #start} must be called once, before
 * the hub takes connections.
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
  private final ChatDirectory directory;
  private final Object[] stripes = new Object[STRIPES];
  private final Object roomsLock = new Object();
  private volatile boolean started;

  /** A handler for a chat on one server, stamping messages with the system clock. */
  public ChatHandler() {
    this(Clock.systemUTC());
  }

  /** A handler for a chat on one server, stamping messages with {@code clock}. */
  public ChatHandler(Clock clock) {
    this(clock, ChatDirectory.inMemory());
  }

  /**
   * A handler that stamps messages with {@code clock} and shares presence, rooms and private
   * messages through {@code directory}.
   */
  public ChatHandler(Clock clock, ChatDirectory directory) {
    this.clock = requireNonNull(clock, "clock");
    this.directory = requireNonNull(directory, "directory");
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  /**
   * Starts the handler's directory for {@code hub}; call it once, after {@link Hub#create} and
   * before the hub takes connections. It may wait for Redis.
   *
   * @throws IllegalStateException if called twice, or if the directory cannot be reached
   */
  public void start(Hub<ChatMessage> hub) {
    requireNonNull(hub, "hub");
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("ChatHandler.start: already started");
      }
      directory.start(hub, new Deliveries(hub));
      started = true;
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
    if (!started) {
      throw new IllegalStateException("ChatHandler.start(hub) was not called");
    }
    synchronized (stripe(LOBBY)) {
      // Under the rooms lock: every later rooms update reaches it, and none comes before its
      // history; updates for greeted connections (rooms, dm, gap) reach it once marked.
      synchronized (roomsLock) {
        Set<String> rooms = new TreeSet<>(directory.rooms());
        rooms.add(LOBBY); // it is about to be in it
        hub.send(client.id(), new Welcome(name(client), LOBBY, List.copyOf(rooms)));
        enterWithHistory(hub, client, LOBBY);
        client.attributes().put(WELCOMED_KEY, Boolean.TRUE);
      }
      client.attributes().put(ROOM_KEY, LOBBY);
      directory.entered(client, LOBBY);
    }
    settled();
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
        directory.closed(client, (String) room);
      }
    }
    settled();
  }

  /**
   * Tells every greeted connection of this server that messages from another server were lost
   * ({@code gap}): Redis was unreachable for a while, so some {@code message}s may be missing.
   */
  @Override
  public void onBackplaneGap(Hub<ChatMessage> hub, String originNode, long missed) {
    if (hub.isShutdown()) {
      return;
    }
    sendTo(hub, welcomed(hub.clients()), codec(hub).encode(new Gap(missed)));
  }

  private void say(Hub<ChatMessage> hub, Client client, String text) {
    if (badText(hub, client, "say", text)) {
      return;
    }
    String room = currentRoom(client);
    String from = name(client);
    synchronized (stripe(room)) {
      hub.broadcastSequenced(
          Target.room(room), seq -> new RoomMessage(room, from, text, seq, now()));
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
        if (acrossNodes(hub)) {
          // Out and in again, so that the history and the live messages meet as on entering.
          hub.leave(client.id(), room);
          enterWithHistory(hub, client, room);
        } else {
          sendHistory(hub, client, room, hub.history(room, 0));
        }
        directory.entered(client, room);
      }
      return;
    }
    // Leave first: after the new room's history nothing more comes from the old one.
    synchronized (stripe(old)) {
      hub.leave(client.id(), old);
      directory.left(client, old);
    }
    if (!enter(hub, client, room)) {
      reply(hub, client, "room-limit", "join: this server has no room for another room");
      enter(hub, client, old);
    }
    settled();
  }

  /** Joins a room and queues its history; {@code false} if the hub has no room for it. */
  private boolean enter(Hub<ChatMessage> hub, Client client, String room) {
    synchronized (stripe(room)) {
      try {
        enterWithHistory(hub, client, room);
      } catch (IllegalStateException full) {
        return false;
      }
      client.attributes().put(ROOM_KEY, room);
      directory.entered(client, room);
      return true;
    }
  }

  /**
   * Joins a room and queues its {@code history} for the connection, so that the live messages that
   * follow neither overtake nor repeat it; call it holding the room's stripe.
   *
   * @throws IllegalStateException if the hub has no room for another room
   */
  private void enterWithHistory(Hub<ChatMessage> hub, Client client, String room) {
    if (!acrossNodes(hub)) {
      // One node: every message of the room is delivered by a say holding this stripe.
      hub.join(client.id(), room);
      sendHistory(hub, client, room, hub.history(room, 0));
      return;
    }
    // Several nodes: the backplane's thread delivers the room's messages under the hub's own room
    // lock, which this stripe does not hold back. So the history goes first, then joinAndReplay
    // joins and queues what came since that history was read, atomically with live delivery:
    // nothing is missed, repeated or put out of order. (Should the hub have no room for the room,
    // its empty history has gone out before the room-limit error and the old room's history.)
    HistoryRead held = hub.history(room, 0);
    sendHistory(hub, client, room, held);
    hub.joinAndReplay(client.id(), room, held.lastSequence());
  }

  /** Whether the room's messages may be delivered by another node's thread. */
  private boolean acrossNodes(Hub<ChatMessage> hub) {
    return directory.spansNodes();
  }

  private void directMessage(Hub<ChatMessage> hub, Client client, String to, String text) {
    if (badText(hub, client, "dm", text)) {
      return;
    }
    String from = name(client);
    if (!NAME.matcher(to).matches()) {
      unknownUser(hub, client, to);
      return;
    }
    Message frame = codec(hub).encode(new Dm(from, to, text, now())); // once for every tab
    // Not Target.user(to): that would reach tabs not yet greeted, and not cross a Redis outage.
    // The directory hands the dm to every node's listener, which sends it to greeted tabs only.
    directory
        .directMessage(from, to, frame)
        .whenComplete(
            (delivered, failure) -> {
              if (failure != null) {
                // The directory is unreachable: the tabs on this server still get it.
                if (!new Deliveries(hub).directMessage(from, to, frame, true)) {
                  reply(hub, client, "unavailable", "dm: cannot reach the other servers now");
                }
              } else if (!delivered) {
                unknownUser(hub, client, to);
              }
            });
  }

  private void unknownUser(Hub<ChatMessage> hub, Client client, String to) {
    String shown = to.length() <= 32 ? to : to.substring(0, 32) + "...";
    reply(hub, client, "unknown-user", "dm: nobody named \"" + shown + "\" is here");
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

  /** Queues a room's history for one connection; call it holding the room's stripe. */
  private void sendHistory(Hub<ChatMessage> hub, Client client, String room, HistoryRead held) {
    MessageCodec<ChatMessage> codec = codec(hub);
    List<RoomMessage> messages = new ArrayList<>();
    for (HistoryEntry entry : held.entries()) {
      ChatMessage message = codec.decode(entry.message()); // only messages are room broadcasts
      if (message instanceof RoomMessage) {
        messages.add((RoomMessage) message);
      }
    }
    hub.send(client.id(), new History(room, messages));
  }

  /** Lets the directory announce the rooms, under the rooms lock that orders the announcements. */
  private void settled() {
    synchronized (roomsLock) {
      directory.settled();
    }
  }

  /**
   * The directory's news, sent to this server's connections: what it tells the handler's listener.
   * Thread-safe; it takes the same locks as the handler, so the news is ordered with this server's
   * own joins, leaves and welcomes.
   */
  private final class Deliveries implements ChatDirectory.Listener {
    private final Hub<ChatMessage> hub;

    Deliveries(Hub<ChatMessage> hub) {
      this.hub = hub;
    }

    @Override
    public void presence(String room, List<String> members) {
      if (members.isEmpty() || hub.isShutdown()) {
        return;
      }
      synchronized (stripe(room)) {
        Collection<Client> here = hub.members(room);
        if (!here.isEmpty()) {
          sendTo(hub, here, codec(hub).encode(new Presence(room, members))); // encoded once
        }
      }
    }

    @Override
    public void rooms(List<String> rooms) {
      if (hub.isShutdown()) {
        return;
      }
      synchronized (roomsLock) {
        sendTo(hub, welcomed(hub.clients()), codec(hub).encode(new Rooms(rooms)));
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
      return "ChatHandler.Deliveries[" + hub.nodeId() + "]";
    }
  }

  /**
   * The connections that have had their {@code welcome} and first {@code history}. Updates go to
   * these only, one by one rather than to {@code Target.all()} or {@code Target.user(...)}, so that
   * a connection's first message is always its welcome.
   */
  private static List<Client> welcomed(Collection<Client> clients) {
    return clients.stream().filter(c -> c.attributes().containsKey(WELCOMED_KEY)).toList();
  }

  private static void sendTo(Hub<ChatMessage> hub, Collection<Client> clients, Message frame) {
    for (Client c : clients) {
      hub.broadcastMessage(Target.connection(c.id()), frame);
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

  /** The user name a connection was admitted with. */
  static String name(Client client) {
    return client.user().orElse("?");
  }

  @Override
  public String toString() {
    return "ChatHandler";
  }
}
