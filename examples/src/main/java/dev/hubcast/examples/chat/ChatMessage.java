package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.hubcast.core.RoomPosition;
import java.time.Instant;
import java.util.List;

/**
 * One message of the chat protocol, in either direction; each is a JSON object whose {@code "type"}
 * names the record (see {@code docs/chat-protocol.md}). {@link ChatCodec} turns them into text
 * frames and back.
 *
 * <p>Client to server: {@link Say}, {@link Join}, {@link Dm} (without {@code from} and {@code ts}).
 * Server to client: {@link Welcome}, {@link History}, {@link Presence}, {@link Rooms}, {@link
 * People}, {@link RoomMessage}, {@link Dm}, {@link Dms}, {@link ErrorReply}, {@link Gap}.
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
  @JsonSubTypes.Type(ChatMessage.Gap.class),
  @JsonSubTypes.Type(ChatMessage.People.class),
  @JsonSubTypes.Type(ChatMessage.Dms.class)
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
   * Client: leave the current room and enter {@code room}, resuming from {@code since} if given.
   *
   * @param room the room to enter, created on first use
   * @param since the position of the last message seen in the room, or {@code null} for its last
   *     messages
   */
  @JsonTypeName("join")
  record Join(String room, Since since) implements ChatMessage {
    /** Checks that the room is there. */
    public Join {
      required("join", "room", room);
    }

    /** A join without a position. */
    public Join(String room) {
      this(room, null);
    }
  }

  /**
   * Where a client stands in a room: the {@code epoch} and {@code seq} of the last message it saw
   * (or of the room's {@code history}).
   *
   * @param epoch the room's epoch, 1-64 letters, digits, {@code _}, {@code -} or {@code .}
   * @param seq the message's number, 0 or more
   */
  record Since(String epoch, Long seq) {
    /** Checks both, naming what is wrong. */
    public Since {
      if (epoch == null || seq == null) {
        throw new IllegalArgumentException("join: \"since\" needs an \"epoch\" and a \"seq\"");
      }
      if (seq < 0) {
        throw new IllegalArgumentException(
            "join: \"since\".\"seq\" must be 0 or more (was " + seq + ")");
      }
      try {
        new RoomPosition(epoch, seq);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "join: \"since\".\"epoch\" must be 1-64 letters, digits, '_', '-' or '.'");
      }
    }

    RoomPosition position() {
      return new RoomPosition(epoch, seq);
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
   * @param rooms the rooms that exist now, {@code lobby} always among them, sorted
   * @param people everyone online now, on any server and in any room, sorted
   */
  @JsonTypeName("welcome")
  record Welcome(String name, String room, List<String> rooms, List<String> people)
      implements ChatMessage {
    /** Copies the lists. */
    public Welcome {
      rooms = List.copyOf(rooms);
      people = List.copyOf(people);
    }
  }

  /**
   * Server: everyone online, on any server and in any room, sent to everyone when it changes.
   *
   * @param people the user names, sorted, each once however many tabs it has open
   */
  @JsonTypeName("people")
  record People(List<String> people) implements ChatMessage {
    /** Copies the names. */
    public People {
      people = List.copyOf(people);
    }
  }

  /**
   * Server: the private messages kept for a user (the last of each conversation), sent after a
   * connection's first {@code history} when there are any.
   *
   * @param messages {@code dm} objects from or to the user, oldest first
   */
  @JsonTypeName("dms")
  record Dms(List<Dm> messages) implements ChatMessage {
    /** Copies the messages. */
    public Dms {
      messages = List.copyOf(messages);
    }
  }

  /**
   * Server: what a connection gets on entering a room: the room's position and its last messages,
   * or, answering a resume, whether the messages after the client's position were recovered.
   *
   * @param room the room
   * @param epoch the room's epoch now
   * @param seq the room's latest {@code seq} (0 before its first message): the position to resume
   *     from if no {@code message} follows
   * @param recovered answering a join with a position: {@code true} if {@code messages} are exactly
   *     those after it; {@code null} for a join without one
   * @param reason with {@code recovered} false: why not ({@code epoch-changed}, {@code too-old},
   *     {@code too-many}, {@code no-history}, {@code missing})
   * @param messages the messages after the position when recovered; otherwise the room's last
   *     messages, oldest first
   */
  @JsonTypeName("history")
  record History(
      String room,
      String epoch,
      long seq,
      Boolean recovered,
      String reason,
      List<RoomMessage> messages)
      implements ChatMessage {
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
   * @param rooms the rooms, {@code lobby} always among them, sorted
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
   * @param epoch the room's epoch: {@code seq}s compare only within one
   * @param ts when the server took it
   */
  @JsonTypeName("message")
  record RoomMessage(String room, String from, String text, long seq, String epoch, Instant ts)
      implements ChatMessage {}

  /**
   * Server: a request could not be carried out; sent to its sender only.
   *
   * @param code {@code bad-request}, {@code too-long}, {@code unknown-user}, {@code room-limit},
   *     {@code unavailable} or {@code slow-down}
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
   * @param missed how many broadcasts were lost (at least 1)
   * @param room the room whose {@code message}s were lost (a client resumes it to get them back if
   *     they are still kept), or {@code null} when it is not known which
   */
  @JsonTypeName("gap")
  record Gap(long missed, String room) implements ChatMessage {
    /** A gap in no known room. */
    public Gap(long missed) {
      this(missed, null);
    }
  }

  private static void required(String type, String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(type + ": missing \"" + field + "\"");
    }
  }
}
