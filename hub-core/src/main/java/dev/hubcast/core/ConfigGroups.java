package dev.hubcast.core;

import dev.hubcast.core.backplane.Backplane;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@link HubConfig}'s settings, in four groups. Each setting is written once, with its default, in
 * its group; {@code copy()}, {@code toString()} and {@code toBuilder()} work on whole groups.
 *
 * <p>Not thread-safe: a group is filled by one builder, then copied into an immutable config that
 * never changes it.
 */
final class ConfigGroups {

  private ConfigGroups() {}

  /** A group of settings: a plain holder, copied whole. */
  abstract static class Group implements Cloneable {
    @SuppressWarnings("unchecked")
    <G extends Group> G copy() {
      try {
        return (G) clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }

    /** Adds {@code name=value} for every setting of {@code g} that differs from {@code d}. */
    static void diff(List<String> parts, Group g, Group d) {
      for (Field f : g.getClass().getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("nodeId")) {
          continue;
        }
        try {
          Object value = f.get(g);
          if (!Objects.equals(value, f.get(d))) {
            parts.add(f.getName() + "=" + value);
          }
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  /** What the hub is wired to. */
  static final class Wiring<M> extends Group {
    HubHandler<M> handler;
    BroadcastPolicy policy = BroadcastPolicy.ALL;
    boolean policySet;
    Executor handlerExecutor;
    String nodeId;
    Supplier<? extends Backplane> backplane = Backplane::local;
    List<String> subprotocols = List.of();
    PresenceConfig<M> presence;
  }

  /** Who may connect, and how fast they may talk. */
  static final class Gate extends Group {
    OriginPolicy originPolicy = OriginPolicy.sameOrigin();
    Authenticator authenticator = Authenticator.anonymous();
    RateLimit rateLimit;
  }

  /** How much of everything. */
  static final class Limits extends Group {
    int maxMessageBytes = HubConfig.DEFAULT_MAX_MESSAGE_BYTES;
    int maxConnections = HubConfig.DEFAULT_MAX_CONNECTIONS;
    int maxConnectionsPerAddress = Integer.MAX_VALUE;
    long maxOutboxBytes = HubConfig.DEFAULT_MAX_OUTBOX_BYTES;
    int maxOutboxFrames = HubConfig.DEFAULT_MAX_OUTBOX_FRAMES;
    SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.DISCONNECT;
    int historySize;
    Duration maxHistoryAge = Duration.ZERO; // zero: no age limit
    int replayLimit; // 0: half the outbox's frames
    int maxRooms = HubConfig.DEFAULT_MAX_ROOMS;
  }

  /** How long everything may take. */
  static final class Timeouts extends Group {
    Duration idleTimeout = HubConfig.DEFAULT_IDLE_TIMEOUT;
    Duration handshakeTimeout = HubConfig.DEFAULT_HANDSHAKE_TIMEOUT;
    Duration closeTimeout = HubConfig.DEFAULT_CLOSE_TIMEOUT;
    Duration drainTimeout = HubConfig.DEFAULT_DRAIN_TIMEOUT;
  }
}
