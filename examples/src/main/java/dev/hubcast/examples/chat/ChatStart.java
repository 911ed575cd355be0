package dev.hubcast.examples.chat;

import dev.hubcast.core.Client;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.RoomPosition;
import java.util.Optional;

/**
 * Where a connection starts: the lobby, or the room and position of its URL ({@code
 * ?room=R&epoch=E&seq=S}), and what was wrong with them ({@code problem}, null if nothing).
 *
 * <p>Immutable and thread-safe.
 */
record ChatStart(String room, RoomPosition since, String problem) {
  static ChatStart of(Client client) {
    Handshake h = client.handshake();
    Optional<String> room = h.queryParam("room");
    Optional<String> epoch = h.queryParam("epoch");
    Optional<String> seq = h.queryParam("seq");
    if (room.isEmpty()) {
      return epoch.isPresent() || seq.isPresent()
          ? new ChatStart(ChatHandler.LOBBY, null, "connect: \"epoch\" and \"seq\" need a \"room\"")
          : new ChatStart(ChatHandler.LOBBY, null, null);
    }
    if (!ChatHandler.NAME.matcher(room.get()).matches()) {
      return new ChatStart(
          ChatHandler.LOBBY, null, "connect: room names are 1-32 letters, digits, '_' or '-'");
    }
    if (epoch.isEmpty() && seq.isEmpty()) {
      return new ChatStart(room.get(), null, null);
    }
    try {
      long n = Long.parseLong(seq.orElse(""));
      return new ChatStart(
          room.get(), new ChatMessage.Since(epoch.orElse(null), n).position(), null);
    } catch (NumberFormatException e) {
      return new ChatStart(room.get(), null, "connect: \"seq\" must be a whole number, 0 or more");
    } catch (IllegalArgumentException e) {
      return new ChatStart(
          room.get(), null, e.getMessage().replace("join: \"since\".", "connect: "));
    }
  }
}
