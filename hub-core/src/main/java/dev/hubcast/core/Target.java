package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;

/**
 * Who receives a broadcast. Plain data (ids and names, never live objects), so that a target can
 * cross the {@link dev.hubcast.core.backplane.Backplane} to other nodes; connection ids are unique
 * across nodes.
 *
 * <p>Immutable and thread-safe. Build targets with the static factories:
 *
 * <pre>{@code
 * hub.broadcast(Target.all(), "hello everyone");
 * hub.broadcast(Target.allExcept(sender.id()), "someone said hi");
 * hub.broadcast(Target.room("lobby"), "hello lobby");
 * hub.broadcast(Target.user("ada"), "to every tab Ada has open");
 * hub.broadcast(Target.connections(List.of(a.id(), b.id())), "to these two, as one fan-out");
 * }</pre>
 */
public sealed interface Target
    permits Target.All,
        Target.AllExcept,
        Target.Room,
        Target.RoomExcept,
        Target.User,
        Target.Connection,
        Target.Connections {

  /** Every connection. */
  static Target all() {
    return All.INSTANCE;
  }

  /** Every connection but the one with {@code connectionId} (typically the sender). */
  static Target allExcept(String connectionId) {
    return new AllExcept(connectionId);
  }

  /** Every connection but {@code client} (typically the sender). */
  static Target allExcept(Client client) {
    return new AllExcept(requireNonNull(client, "client").id());
  }

  /** Every connection in {@code room}. */
  static Target room(String room) {
    return new Room(room);
  }

  /** Every connection in {@code room} but the one with {@code connectionId}. */
  static Target roomExcept(String room, String connectionId) {
    return new RoomExcept(room, connectionId);
  }

  /** Every connection of the user named {@code user} (all of that user's tabs). */
  static Target user(String user) {
    return new User(user);
  }

  /** The one connection with {@code connectionId}. */
  static Target connection(String connectionId) {
    return new Connection(connectionId);
  }

  /** One connection: {@code connection(client.id())}. */
  static Target connection(Client client) {
    return new Connection(requireNonNull(client, "client").id());
  }

  /**
   * A set of connections, in one fan-out (one receipt, one write round per transport) rather than a
   * broadcast per connection. Ids may belong to other nodes; duplicates receive the message once.
   *
   * @throws IllegalArgumentException if {@code connectionIds} is empty
   */
  static Target connections(Collection<String> connectionIds) {
    return new Connections(List.copyOf(connectionIds));
  }

  /** Every connection. */
  record All() implements Target {
    static final All INSTANCE = new All();

    @Override
    public String toString() {
      return "all";
    }
  }

  /**
   * Every connection but one.
   *
   * @param connectionId the connection left out
   */
  record AllExcept(String connectionId) implements Target {
    /** Validates the id. */
    public AllExcept {
      requireNonNull(connectionId, "connectionId");
    }
  }

  /**
   * Every member of a room.
   *
   * @param name the room
   */
  record Room(String name) implements Target {
    /** Validates the name. */
    public Room {
      requireNonNull(name, "name");
    }
  }

  /**
   * Every member of a room but one.
   *
   * @param name the room
   * @param connectionId the connection left out
   */
  record RoomExcept(String name, String connectionId) implements Target {
    /** Validates the name and id. */
    public RoomExcept {
      requireNonNull(name, "name");
      requireNonNull(connectionId, "connectionId");
    }
  }

  /**
   * Every connection of one user.
   *
   * @param name the user name
   */
  record User(String name) implements Target {
    /** Validates the name. */
    public User {
      requireNonNull(name, "name");
    }
  }

  /**
   * One connection.
   *
   * @param connectionId its id
   */
  record Connection(String connectionId) implements Target {
    /** Validates the id. */
    public Connection {
      requireNonNull(connectionId, "connectionId");
    }
  }

  /** A set of connections by id; see {@link Target#connections}. */
  record Connections(List<String> connectionIds) implements Target {
    /** Checks that there is at least one id, and none is null. */
    public Connections {
      connectionIds = List.copyOf(connectionIds);
      if (connectionIds.isEmpty()) {
        throw new IllegalArgumentException("connectionIds: [] (expected: at least one id)");
      }
    }
  }
}
