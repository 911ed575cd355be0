package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.List;

/**
 * One message of the chat protocol, in either direction; each is a JSON object whose {@code "type"}
 * names the record (see {@code docs/chat-protocol.md}). {@link ChatCodec} turns them into text
 * frames and back.
 *
 * <p>Client to server: {@link Say}, {@link Join}, {@link Dm} (without {@code from} and {@code ts}).
 * Server to client: {@link Welcome}, {@link History}, {@link Presence}, {@link Rooms}, {@link
 * RoomMessage}, {@link Dm}, {@link ErrorReply}, {@link Gap}.
 *
 * <p>Immutable and thread-safe: every implementation is a record.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(ChatMessage.Say.class),
  @JsonSubTypes.Type(ChatMessage.Join.class),
  @JsonSubTypes.Type(ChatMessage.Dm.class),
  @JsonSubTypes.Type(ChatMessage.Welcome.class),
  @JsonSubTypes.Type(ChatMessage.History.class),
  @JsonSubTypes.Type(ChatMessage.Presence.class),
  @JsonSubTypes.Type(ChatMessage.Rooms.class),
  @JsonSubTypes.Type(ChatMessage.RoomMessage.class),
  @JsonSubTypes.Type(ChatMessage.ErrorReply.class),
  @JsonSubTypes.Type(ChatMessage.Gap.class)
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ChatMessage {

  /** The {@code "type"} of a message, such as {@code "say"}. */
  static String typeOf(ChatMessage message) {
    return message.getClass().getAnnotation(JsonTypeName.class).value();
  }

  /**
   * Client: say {@code text} in the current room.
   *
   * @param text what to say
   */
  @JsonTypeName("say")
  record Say(String text) implements ChatMessage {
    /** Checks that the text is there. */
    public Say {
      required("say", "text", text);
    }
  }

  /**
   * Client: leave the current room and enter {@code room}.
   *
   * @param room the room to enter, created on first use
   */
  @JsonTypeName("join")
  record Join(String room) implements ChatMessage {
    /** Checks that the room is there. */
    public Join {
      required("join", "room", room);
    }
  }

  /**
   * A private message. A client sends it with {@code to} and {@code text}; the server stamps {@code
   * from} and {@code ts} and delivers it to every connection of both users.
   *
   * @param from the sender, stamped by the server ({@code null} from a client, ignored if present)
   * @param to the recipient's user name
   * @param text the message
   * @param ts when the server took it
   */
  @JsonTypeName("dm")
  record Dm(String from, String to, String text, Instant ts) implements ChatMessage {
    /** Checks that {@code to} and {@code text} are there. */
    public Dm {
      required("dm", "to", to);
      required("dm", "text", text);
    }
  }

  /**
   * Server: the first message on a connection.
   *
   * @param name the user name the connection was admitted with
   * @param room the room it was put in ({@code lobby})
   * @param rooms the rooms that exist now, sorted
   */
  @JsonTypeName("welcome")
  record Welcome(String name, String room, List<String> rooms) implements ChatMessage {
    /** Copies the rooms. */
    public Welcome {
      rooms = List.copyOf(rooms);
    }
  }

  /**
   * Server: a room's last messages, oldest first, sent on entering it.
   *
   * @param room the room
   * @param messages its last messages, oldest first
   */
  @JsonTypeName("history")
  record History(String room, List<RoomMessage> messages) implements ChatMessage {
    /** Copies the messages. */
    public History {
      messages = List.copyOf(messages);
    }
  }

  /**
   * Server: who is in a room now, sent to its members whenever that changes.
   *
   * @param room the room
   * @param members the user names in it, sorted, each once however many tabs it has open
   */
  @JsonTypeName("presence")
  record Presence(String room, List<String> members) implements ChatMessage {
    /** Copies the members. */
    public Presence {
      members = List.copyOf(members);
    }
  }

  /**
   * Server: the rooms that exist now, sent to everyone when a room appears or empties.
   *
   * @param rooms the rooms, sorted
   */
  @JsonTypeName("rooms")
  record Rooms(List<String> rooms) implements ChatMessage {
    /** Copies the rooms. */
    public Rooms {
      rooms = List.copyOf(rooms);
    }
  }

  /**
   * Server: something said in a room.
   *
   * @param room the room
   * @param from who said it, stamped by the server
   * @param text what was said
   * @param seq its number in the room: 1, 2, 3, ...
   * @param ts when the server took it
   */
  @JsonTypeName("message")
  record RoomMessage(String room, String from, String text, long seq, Instant ts)
      implements ChatMessage {}

  /**
   * Server: a request could not be carried out; sent to its sender only.
   *
   * @param code {@code bad-request}, {@code too-long}, {@code unknown-user}, {@code room-limit} or
   *     {@code unavailable}
   * @param message what was wrong, for people
   */
  @JsonTypeName("error")
  record ErrorReply(String code, String message) implements ChatMessage {
    /** Checks that both are there. */
    public ErrorReply {
      requireNonNull(code, "code");
      requireNonNull(message, "message");
    }
  }

  /**
   * Server: messages from other chat servers were lost on the way here (Redis was unreachable for a
   * while), so some {@code message}s and {@code dm}s may be missing; sent to every connection of
   * the server that noticed.
   *
   * @param missed how many broadcasts of another server were lost (at least 1)
   */
  @JsonTypeName("gap")
  record Gap(long missed) implements ChatMessage {}

  private static void required(String type, String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(type + ": missing \"" + field + "\"");
    }
  }
}
