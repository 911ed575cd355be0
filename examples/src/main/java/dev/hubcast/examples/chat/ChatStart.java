package dev.hubcast.examples.chat;

import dev.hubcast.core.Client;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.RoomMark;
import dev.hubcast.core.RoomPosition;
import java.util.Optional;

/**
 * Where a connection starts: the lobby, or the room and position of its URL ({@code
 * ?room=R&epoch=E&seq=S}), and what was wrong with them ({@code problem}, null if nothing).
 *
 * <p>A connection whose handshake carries a {@link Handshake#lastEventMark() last event mark} (a
 * browser's {@code EventSource} reconnecting by itself sends the id of the last room message it got
 * as {@code Last-Event-ID}) starts from that mark instead: its room and position are where the
 * client really stands, while its URL, which {@code EventSource} never changes, may be older (the
 * room it first connected to, before a {@code join}). A mark whose room is not a valid room name is
 * ignored, and the URL is read as without it.
 *
 * <p>Immutable and thread-safe.
 */
record ChatStart(String room, RoomPosition since, String problem) {
  static ChatStart of(Client client) {
    Handshake h = client.handshake();
    Optional<RoomMark> mark =
        h.lastEventMark().filter(m -> ChatHandler.NAME.matcher(m.room()).matches());
    if (mark.isPresent()) {
      return new ChatStart(mark.get().room(), mark.get().position(), null);
    }
    return fromQuery(h);
  }

  private static ChatStart fromQuery(Handshake h) {
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
