package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.Client;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.MessageDecodingException;
import dev.hubcast.core.PresenceUser;
import dev.hubcast.core.Replay;
import dev.hubcast.core.RoomLimitException;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.Target;
import dev.hubcast.examples.chat.ChatMessage.Dm;
import dev.hubcast.examples.chat.ChatMessage.Dms;
import dev.hubcast.examples.chat.ChatMessage.ErrorReply;
import dev.hubcast.examples.chat.ChatMessage.Gap;
import dev.hubcast.examples.chat.ChatMessage.History;
import dev.hubcast.examples.chat.ChatMessage.Join;
import dev.hubcast.examples.chat.ChatMessage.People;
import dev.hubcast.examples.chat.ChatMessage.Presence;
import dev.hubcast.examples.chat.ChatMessage.RoomMessage;
import dev.hubcast.examples.chat.ChatMessage.Say;
import dev.hubcast.examples.chat.ChatMessage.Welcome;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The chat's rules, as a {@link HubHandler}: rooms with history and resume, presence, the people
 * online, private messages with their history, error replies and the answer to a client past the
 * rate limit ({@code slow-down}, keeping it open). The protocol is in {@code
 * docs/chat-protocol.md}.
 *
 * <p>Each connection is in exactly one room at a time, kept in its {@link Client#attributes()}; it
 * starts in {@value #LOBBY}, or in the room its URL names (or, for an {@code EventSource} that
 * reconnects by itself, the room of its {@code Last-Event-ID}: see {@link ChatStart}). Everything
 * said in a room is a {@link Hub#broadcastSequenced sequenced} room broadcast, so the hub numbers
 * it (epoch and seq) and keeps it in the room's history; entering a room is the hub's {@link
 * Hub#joinAndResume}, whose answer is the {@code history}, from a position when the client gives
 * one. With {@code --redis} the history lives in Redis and any server answers a resume. Presence,
 * the rooms list and private messages go through a {@link ChatDirectory}, outside the history: in
 * memory for a chat on one server, in Redis for several.
 *
 * <p>Thread-safe. The hub calls it on its transport's I/O threads, one call at a time per
 * connection and concurrently across connections; a join may finish on the history store's thread;
 * the directory calls its listener on the Redis thread; nothing here blocks. A newcomer's {@code
 * history} is queued by the hub atomically with the room's live messages, so no {@code message}
 * overtakes or repeats it; presence changes for a room take that room's lock (one of a fixed set of
 * stripes), so the members' {@code presence} updates go out in the order they were taken. {@link
 * #start} must be called once, before the hub takes connections.
 */
public final class ChatHandler implements HubHandler<ChatMessage> {

  /** The room every connection starts in. */
  public static final String LOBBY = "lobby";

  /**
   * The room every greeted connection is in besides its own, for the hub's presence to keep who is
   * online ({@code people}); no client can name it ({@link #NAME}), and nothing is said in it.
   */
  static final String PEOPLE = "~people";

  /** The longest text of a {@code say} or {@code dm}, in characters (Unicode code points). */
  public static final int MAX_TEXT_CHARS = 2000;

  /** User names and room names: 1-32 ASCII letters, digits, {@code _} or {@code -}. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  private static final String ROOM_KEY = "chat.room";
  private static final String SLOWED_KEY = "chat.slowed"; // when it was last told to slow down
  private static final long SLOW_DOWN_EVERY_NANOS = 1_000_000_000L;
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
      directory.start(hub, new ChatDeliveries(hub, roomsLock, this::stripe));
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
    ChatStart start = ChatStart.of(client);
    enter(hub, client, start.room(), start.since(), null, start.problem());
  }

  @Override
  public void onMessage(Hub<ChatMessage> hub, Client client, ChatMessage message) {
    if (hub.isShutdown()) {
      return;
    }
    if (message instanceof Say) {
      say(hub, client, ((Say) message).text());
    } else if (message instanceof Join) {
      join(hub, client, (Join) message);
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

  /**
   * A message past the rate limit was dropped: the connection stays open, and is told so with a
   * {@code slow-down} error, at most once a second (a flood is not answered with a flood).
   */
  @Override
  public void onRateLimited(Hub<ChatMessage> hub, Client client) {
    if (hub.isShutdown()) {
      return;
    }
    long now = System.nanoTime();
    Object last = client.attributes().get(SLOWED_KEY);
    if (last instanceof Long && now - (Long) last < SLOW_DOWN_EVERY_NANOS) {
      return;
    }
    client.attributes().put(SLOWED_KEY, now);
    String limit =
        hub.config()
            .rateLimit()
            .map(r -> " (at most " + Math.round(r.messagesPerSecond()) + " messages a second)")
            .orElse("");
    reply(hub, client, "slow-down", "slow down: messages sent too fast were dropped" + limit);
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
    ChatDeliveries.sendTo(
        hub, ChatDeliveries.welcomed(hub.clients()), codec(hub).encode(new Gap(missed)));
  }

  /**
   * Tells this server's members of {@code room} that some of its messages will never reach them
   * ({@code gap} with the room): they may resume it to get back what is still kept.
   */
  @Override
  public void onRoomGap(Hub<ChatMessage> hub, String room, long missed) {
    if (hub.isShutdown()) {
      return;
    }
    ChatDeliveries.sendTo(
        hub, ChatDeliveries.welcomed(hub.members(room)), codec(hub).encode(new Gap(missed, room)));
  }

  private void say(Hub<ChatMessage> hub, Client client, String text) {
    if (badText(hub, client, "say", text)) {
      return;
    }
    String room = currentRoom(client);
    String from = name(client);
    hub.broadcastSequenced(
        Target.room(room), at -> new RoomMessage(room, from, text, at.seq(), at.epoch(), now()));
  }

  private void join(Hub<ChatMessage> hub, Client client, Join join) {
    String room = join.room();
    if (!NAME.matcher(room).matches()) {
      reply(hub, client, "bad-request", "join: room names are 1-32 letters, digits, '_' or '-'");
      return;
    }
    RoomPosition since = join.since() == null ? null : join.since().position();
    enter(hub, client, room, since, currentRoom(client), null);
  }

  /**
   * Puts a connection into a room, from a position or not, and queues the answer: its {@code
   * welcome} first if it has just connected ({@code from} null), then the room's {@code history},
   * atomically with the room's live messages (the hub's {@link Hub#joinAndResume}): none is missed,
   * repeated or put before it. The old room is left inside that same step, so nothing from it comes
   * after the new room's history. A bad position is answered with an error and changes nothing.
   *
   * @param from the room it is in, or null for a new connection
   * @param problem what was wrong with a new connection's URL, or null
   */
  private void enter(
      Hub<ChatMessage> hub,
      Client client,
      String room,
      RoomPosition since,
      String from,
      String problem) {
    CompletableFuture<Optional<Replay>> entered;
    try {
      entered =
          hub.joinAndResume(
              client.id(), room, since, replay -> answer(hub, client, room, from, replay));
    } catch (RoomLimitException full) {
      if (from == null) {
        enter(hub, client, LOBBY, null, null, problem); // the lobby always has room
      }
      reply(hub, client, "room-limit", "join: this server has no room for another room");
      return;
    }
    entered.whenComplete(
        (replay, failure) -> {
          if (failure != null) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof IllegalArgumentException && since != null) {
              // A position past the room's latest: say so; a new connection enters the room as
              // if it had given none, a join changes nothing.
              if (from == null) {
                enter(hub, client, room, null, null, problem);
              }
              reply(hub, client, "bad-request", what(from) + cause.getMessage());
            }
            return;
          }
          if (replay.isEmpty()) {
            return; // closed meanwhile
          }
          if (problem != null) {
            reply(hub, client, "bad-request", problem);
          }
          if (from != null && !from.equals(room)) {
            synchronized (stripe(from)) {
              directory.left(client, from);
            }
          }
          synchronized (stripe(room)) {
            directory.entered(client, room);
          }
          settled();
          if (from == null) {
            hub.join(client.id(), PEOPLE); // online from now on: presence sends it people
            sendPrivateHistory(hub, client);
          }
        });
  }

  /**
   * Sends a new connection the private messages kept for its user ({@code dms}), if there are any,
   * after its first {@code history}. A live {@code dm} may come before it, and be in it too.
   */
  private void sendPrivateHistory(Hub<ChatMessage> hub, Client client) {
    directory
        .privateHistory(name(client))
        .whenComplete(
            (kept, failure) -> {
              if (failure != null || kept.isEmpty() || hub.isShutdown()) {
                return; // without Redis there is nothing to show; the live ones still come
              }
              MessageCodec<ChatMessage> codec = codec(hub);
              List<Dm> dms = new ArrayList<>(kept.size());
              for (Message m : kept) {
                try {
                  if (codec.decode(m) instanceof Dm dm && dm.ts() != null) {
                    dms.add(dm);
                  }
                } catch (RuntimeException unreadable) {
                  // written by an older or newer server: left out
                }
              }
              dms.sort(Comparator.comparing(Dm::ts)); // stable: each conversation stays in order
              if (!dms.isEmpty()) {
                hub.send(client.id(), new Dms(dms));
              }
            });
  }

  private static String what(String from) {
    return from == null ? "connect: " : "join: ";
  }

  /**
   * What a connection entering a room gets, made while the room's messages are held back: it leaves
   * its old room, and is greeted if new. Takes the rooms lock (never the other way round: nothing
   * under the rooms lock waits for a room).
   */
  private ChatMessage answer(
      Hub<ChatMessage> hub, Client client, String room, String from, Replay replay) {
    if (from != null && !from.equals(room)) {
      hub.leave(client.id(), from);
    }
    client.attributes().put(ROOM_KEY, room);
    if (from == null) {
      synchronized (roomsLock) {
        // Under the rooms lock: every later rooms update reaches it, and none comes before it.
        Set<String> rooms = new TreeSet<>(directory.rooms());
        rooms.add(LOBBY);
        rooms.add(room); // it is about to be in it
        Set<String> people = new TreeSet<>(online(hub));
        people.add(name(client));
        hub.send(
            client.id(), new Welcome(name(client), room, List.copyOf(rooms), List.copyOf(people)));
        client.attributes().put(ChatDeliveries.WELCOMED_KEY, Boolean.TRUE);
      }
    }
    return history(hub, room, replay);
  }

  /** The {@code history} that answers a join. */
  private static History history(Hub<ChatMessage> hub, String room, Replay replay) {
    MessageCodec<ChatMessage> codec = codec(hub);
    List<RoomMessage> messages = new ArrayList<>();
    for (HistoryEntry entry : replay.entries()) {
      ChatMessage message = codec.decode(entry.message()); // only messages are room broadcasts
      if (message instanceof RoomMessage) {
        messages.add((RoomMessage) message);
      }
    }
    boolean resumed = replay.since().isPresent();
    return new History(
        room,
        replay.position().epoch(),
        replay.position().seq(),
        resumed ? replay.recovered() : null,
        resumed && !replay.recovered() ? replay.outcome().code() : null,
        messages);
  }

  private void directMessage(Hub<ChatMessage> hub, Client client, String to, String text) {
    if (badText(hub, client, "dm", text)) {
      return;
    }
    String from = name(client);
    if (!NAME.matcher(to).matches() || !hub.isPresent(PEOPLE, to)) {
      unknownUser(hub, client, to); // online nowhere this server's presence knows of
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
                if (!new ChatDeliveries(hub, roomsLock, this::stripe)
                    .directMessage(from, to, frame, true)) {
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

  /**
   * Lets the directory announce the rooms, under the rooms lock that orders the announcements. The
   * directory first refreshes what it reads outside that lock: the hub's rooms with history take
   * each room's lock, and {@link #answer} takes the rooms lock while the hub holds a room's.
   */
  private void settled() {
    directory.refresh();
    synchronized (roomsLock) {
      directory.settled();
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

  /** Everyone online, on every server whose presence reaches this one, sorted. */
  private static List<String> online(Hub<ChatMessage> hub) {
    return hub.presence(PEOPLE).users().stream().map(PresenceUser::user).toList();
  }

  /**
   * The chat's presence message for a room's users: {@code people} for {@link #PEOPLE}, {@code
   * presence} for any other room.
   */
  static ChatMessage presenceMessage(String room, List<String> users) {
    return room.equals(PEOPLE) ? new People(users) : new Presence(room, users);
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
