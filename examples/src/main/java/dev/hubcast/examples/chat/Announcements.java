package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hubcast.core.Message;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@link RedisChatDirectory}'s scripts announce on {@code chat:events}, read and handed to
 * the {@link ChatDirectory.Listener} in the order Redis published it. One announcement is one JSON
 * object (written by {@code lib.lua} and {@code dm.lua}):
 *
 * <ul>
 *   <li>{@code {"rooms":["dev","lobby"]}}: the rooms list, when it changed;
 *   <li>{@code {"dm":{"from":"ada","to":"bob","message":"..."}}}: a private message, already
 *       encoded for the wire.
 * </ul>
 *
 * <p>Called by Lettuce on the subscription's thread, one announcement at a time; {@link #close} may
 * be called from any thread.
 */
final class Announcements extends RedisPubSubAdapter<String, String> {

  // The directory's logger: one name to tune for everything the directory says.
  private static final Logger log = LoggerFactory.getLogger(RedisChatDirectory.class);
  // Unknown fields are passed over: a server of another version may announce more.
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              false);

  /** One announcement; absent parts are null. */
  record Announcement(List<String> rooms, DirectMessage dm) {}

  /** A private message and its sender and recipient. */
  record DirectMessage(String from, String to, String message) {}

  private final String nodeId;
  private final ChatDirectory.Listener listener;
  private final Consumer<List<String>> roomsHeard;
  private final Runnable resubscribed;
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param nodeId this server, for the logs
   * @param listener gets every announcement
   * @param roomsHeard gets every rooms list, before the listener does
   * @param resubscribed runs when the subscription comes back after a lost connection
   */
  Announcements(
      String nodeId,
      ChatDirectory.Listener listener,
      Consumer<List<String>> roomsHeard,
      Runnable resubscribed) {
    this.nodeId = requireNonNull(nodeId, "nodeId");
    this.listener = requireNonNull(listener, "listener");
    this.roomsHeard = requireNonNull(roomsHeard, "roomsHeard");
    this.resubscribed = requireNonNull(resubscribed, "resubscribed");
  }

  @Override
  public void subscribed(String channel, long count) {
    if (!subscribedOnce.compareAndSet(false, true)) {
      // Subscribed again after a lost connection: what was announced meanwhile never came.
      resubscribed.run();
    }
  }

  @Override
  public void message(String channel, String message) {
    if (closed.get()) {
      return;
    }
    Announcement announcement;
    try {
      announcement = JSON.readValue(message, Announcement.class);
    } catch (JsonProcessingException e) {
      // Never the message, nor Jackson's excerpt of it: it may hold a private message.
      log.warn(
          "node {}: chat directory: an unreadable announcement was skipped ({} chars): {}",
          nodeId,
          message.length(),
          e.getClass().getSimpleName());
      return;
    }
    try {
      deliver(announcement);
    } catch (RuntimeException e) {
      log.warn(
          "node {}: chat directory: an announcement was not delivered: {}", nodeId, e.toString());
    }
  }

  private void deliver(Announcement a) {
    if (a.dm() != null) {
      DirectMessage dm = a.dm();
      listener.directMessage(dm.from(), dm.to(), Message.text(dm.message()), false);
    }
    if (a.rooms() != null) {
      List<String> now = List.copyOf(a.rooms());
      roomsHeard.accept(now);
      listener.rooms(now);
    }
  }

  /** Hands nothing more to the listener. */
  void close() {
    closed.set(true);
  }
}
