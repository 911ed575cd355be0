package dev.hubcast.core.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.Target;
import java.util.function.Function;

/**
 * Where every broadcast starts: encodes once, then sends a room target to its numbering, a target
 * only other nodes have to the backplane, and the rest to this node's fan-out and the backplane.
 * Thread-safe; holds nothing mutable.
 */
final class Sender<M> {
  private final MessageCodec<M> codec;
  private final Lifecycle<M> lifecycle;
  private final RoomDirectory rooms;
  private final RoomNumbering<M> numbering;
  private final FanOutRouter router;
  private final BackplaneOut out;
  private final ConnectionRegistry registry;

  Sender(
      MessageCodec<M> codec,
      Lifecycle<M> lifecycle,
      RoomDirectory rooms,
      RoomNumbering<M> numbering,
      FanOutRouter router,
      BackplaneOut out,
      ConnectionRegistry registry) {
    this.codec = codec;
    this.lifecycle = lifecycle;
    this.rooms = rooms;
    this.numbering = numbering;
    this.router = router;
    this.out = out;
    this.registry = registry;
  }

  BroadcastReceipt broadcast(Target target, M message) {
    requireNonNull(target, "target");
    requireNonNull(message, "message");
    if (lifecycle.isShutdown()) {
      return BroadcastReceipt.shutDown();
    }
    return broadcastMessage(target, codec.encode(message));
  }

  BroadcastReceipt broadcastMessage(Target target, Message message) {
    requireNonNull(target, "target");
    requireNonNull(message, "message");
    if (lifecycle.isShutdown()) {
      return BroadcastReceipt.shutDown();
    }
    if (out.isDistributed()
        && target instanceof Target.Connection one
        && !registry.isLocal(one.connectionId())) {
      out.publish(target, message, -1, null, System.currentTimeMillis());
      return BroadcastReceipt.none();
    }
    String roomName = FanOutRouter.roomOf(target);
    if (roomName != null) {
      return numbering.broadcast(rooms.roomFor(roomName), target, message);
    }
    Tally tally = new Tally(0);
    router.deliver(target, message, tally);
    out.publish(target, message, -1, null, System.currentTimeMillis());
    return tally.receipt();
  }

  BroadcastReceipt broadcastSequenced(
      Target target, Function<? super RoomPosition, ? extends M> messageForPosition) {
    requireNonNull(target, "target");
    requireNonNull(messageForPosition, "messageForPosition");
    String roomName = FanOutRouter.roomOf(target);
    if (roomName == null) {
      throw new IllegalArgumentException(
          "target: " + target + " (expected: Target.room or Target.roomExcept)");
    }
    if (lifecycle.isShutdown()) {
      return BroadcastReceipt.shutDown();
    }
    return numbering.broadcastSequenced(rooms.roomFor(roomName), target, messageForPosition);
  }
}
