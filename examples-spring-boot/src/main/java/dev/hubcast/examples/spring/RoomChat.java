package dev.hubcast.examples.spring;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Target;
import java.util.regex.Pattern;

/**
 * Rooms of plain text: a client names its room in the query ({@code ?room=NAME}, {@code lobby}
 * without one), and each of its text messages goes to everyone else in that room. A joining client
 * first gets the room's history: the last {@code hubcast.history-size} messages (10 in {@code
 * application.properties}).
 *
 * <p>Threading: the hub calls one connection's events one at a time, on the server's threads; the
 * methods only join and broadcast, which never block.
 */
final class RoomChat implements HubHandler<String> {

  /** The room when the query names none, or names one this chat does not take. */
  static final String DEFAULT_ROOM = "lobby";

  /** Room names this chat takes: 1 to 32 letters, digits, {@code _} or {@code -}. */
  private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  /** The key of a client's room in {@link Client#attributes()}. */
  private static final String ROOM = "room";

  @Override
  public void onOpen(Hub<String> hub, Client client) {
    String room = roomOf(client.handshake().queryParam("room").orElse(null));
    client.attributes().put(ROOM, room);
    // joins and queues the room's history for the client, atomically with respect to the room's
    // broadcasts: each one reaches it once, history first, none missed
    hub.joinAndReplay(client.id(), room);
  }

  @Override
  public void onMessage(Hub<String> hub, Client client, String text) {
    String room = (String) client.attributes().get(ROOM);
    hub.broadcast(Target.roomExcept(room, client.id()), text);
  }

  /** The room for the query's {@code room} value: itself if it is a valid name, else the lobby. */
  static String roomOf(String requested) {
    return requested != null && ROOM_NAME.matcher(requested).matches() ? requested : DEFAULT_ROOM;
  }
}
