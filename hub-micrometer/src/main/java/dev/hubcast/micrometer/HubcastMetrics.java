package dev.hubcast.micrometer;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.Replay;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link Hub}'s counters to a Micrometer {@link MeterRegistry}: connections, closes by
 * code, refused handshakes by reason, deliveries by outcome, bytes, slow-consumer closes, outboxes,
 * fan-out time, the backplane (publishes, failures, gaps, lag), resumes by outcome and transport
 * violations by rule. Every meter is named {@code hubcast.*} and is read from the hub when the
 * registry asks (a scrape, a publish): nothing is added to the broadcast path, and the hub's own
 * counters are all it reads. {@code docs/metrics.md} lists every meter.
 *
 * <p>The meters of one binding share one {@link Hub#metrics()} snapshot for {@value
 * #SNAPSHOT_MILLIS} ms, so that a scrape takes one snapshot (one walk over the connections for the
 * outbox gauges) rather than one per meter; a value read is at most that old.
 *
 * <pre>{@code
 * new HubcastMetrics(hub, Tags.of("app", "chat")).bindTo(registry);
 * // or, with members gauges for two named rooms:
 * new HubcastMetrics(hub, Tags.empty(), Set.of("lobby", "support")).bindTo(registry);
 * }</pre>
 *
 * <p>No meter is tagged by room or user unless asked: rooms and users are unbounded, and a tag per
 * value would grow the registry without limit. {@link #HubcastMetrics(Hub, Iterable, Set)} adds a
 * {@code hubcast.room.members} gauge for each of a few named rooms.
 *
 * <p>Closes are tagged by {@code code} for the codes in {@link #CLOSE_CODES}, and {@code other} for
 * the rest (application codes 4000-4999 among them), so that the tag stays bounded.
 *
 * <p>Immutable and thread-safe. {@link #bindTo} may be called for several registries; the meters
 * read the hub on whatever thread the registry reads them, and hold the hub weakly, as Micrometer's
 * own binders do.
 */
public final class HubcastMetrics implements MeterBinder {

  /** The close codes with a {@code code} tag of their own; every other code is {@code other}. */
  public static final List<Integer> CLOSE_CODES =
      List.of(
          CloseCodes.NORMAL,
          CloseCodes.GOING_AWAY,
          CloseCodes.PROTOCOL_ERROR,
          CloseCodes.UNSUPPORTED_DATA,
          CloseCodes.NO_STATUS,
          CloseCodes.ABNORMAL,
          CloseCodes.INVALID_PAYLOAD,
          CloseCodes.POLICY_VIOLATION,
          CloseCodes.MESSAGE_TOO_BIG,
          CloseCodes.INTERNAL_ERROR,
          CloseCodes.TRY_AGAIN_LATER);

  /** How long the meters of one binding reuse one snapshot, in milliseconds. */
  public static final long SNAPSHOT_MILLIS = 50;

  private final Hub<?> hub;
  private final Tags tags;
  private final Set<String> rooms;

  /** The hub's meters, with no extra tags. */
  public HubcastMetrics(Hub<?> hub) {
    this(hub, Tags.empty());
  }

  /** The hub's meters, each with {@code tags} (say, the application or the node). */
  public HubcastMetrics(Hub<?> hub, Iterable<Tag> tags) {
    this(hub, tags, Set.of());
  }

  /**
   * The hub's meters, each with {@code tags}, and a {@code hubcast.room.members} gauge tagged
   * {@code room} for each of {@code rooms}: keep it to a few rooms that matter.
   *
   * @throws IllegalArgumentException if a room name is empty
   */
  public HubcastMetrics(Hub<?> hub, Iterable<Tag> tags, Set<String> rooms) {
    this.hub = requireNonNull(hub, "hub");
    this.tags = Tags.of(requireNonNull(tags, "tags"));
    for (String room : requireNonNull(rooms, "rooms")) {
      if (requireNonNull(room, "room").isEmpty()) {
        throw new IllegalArgumentException("rooms: \"\" (expected: non-empty room names)");
      }
    }
    this.rooms = Set.copyOf(rooms);
  }

  /** Binds a hub's meters to {@code registry} with {@code tags}, as key-value pairs. */
  public static void monitor(MeterRegistry registry, Hub<?> hub, String... tags) {
    new HubcastMetrics(hub, Tags.of(tags)).bindTo(registry);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    Snapshots snapshots = new Snapshots();
    gauge(
        registry,
        "hubcast.connections",
        "Open connections on this node",
        null,
        Hub::connectionCount);
    gauge(
        registry,
        "hubcast.users",
        "Users with a connection on this node",
        null,
        h -> h.users().size());
    gauge(
        registry, "hubcast.rooms", "Rooms with a member on this node", null, h -> h.rooms().size());
    counter(
        registry,
        snapshots,
        "hubcast.connections.opened",
        "Connections registered",
        null,
        Tags.empty(),
        HubMetrics::connectionsOpened);
    bindCloses(registry, snapshots);
    byEnum(
        registry,
        snapshots,
        "hubcast.handshakes.refused",
        "Handshakes the hub refused, by reason",
        "reason",
        HubMetrics.Refusal.values(),
        HubMetrics::refusedHandshakesByReason);

    counter(
        registry,
        snapshots,
        "hubcast.messages.received",
        "Client messages received",
        null,
        Tags.empty(),
        HubMetrics::framesIn);
    counter(
        registry,
        snapshots,
        "hubcast.received",
        "Client message bytes received",
        BaseUnits.BYTES,
        Tags.empty(),
        HubMetrics::bytesIn);
    counter(
        registry,
        snapshots,
        "hubcast.messages.sent",
        "Frames the transports completed",
        null,
        Tags.empty(),
        HubMetrics::framesOut);
    counter(
        registry,
        snapshots,
        "hubcast.sent",
        "Payload bytes the transports completed",
        BaseUnits.BYTES,
        Tags.empty(),
        HubMetrics::bytesOut);
    String deliveries = "Offers of a broadcast to an outbox, by outcome";
    counter(
        registry,
        snapshots,
        "hubcast.deliveries",
        deliveries,
        null,
        Tags.of("outcome", "queued"),
        HubMetrics::deliveriesQueued);
    counter(
        registry,
        snapshots,
        "hubcast.deliveries",
        deliveries,
        null,
        Tags.of("outcome", "dropped"),
        HubMetrics::deliveriesDropped);
    counter(
        registry,
        snapshots,
        "hubcast.deliveries",
        deliveries,
        null,
        Tags.of("outcome", "refused"),
        HubMetrics::deliveriesRefused);
    counter(
        registry,
        snapshots,
        "hubcast.messages.dropped",
        "Frames dropped by a slow-consumer policy or discarded at a close",
        null,
        Tags.empty(),
        HubMetrics::framesDropped);
    counter(
        registry,
        snapshots,
        "hubcast.send.failures",
        "Sends the transport reported as failed",
        null,
        Tags.empty(),
        HubMetrics::sendFailures);
    counter(
        registry,
        snapshots,
        "hubcast.slow.consumer.closes",
        "Connections closed as slow consumers",
        null,
        Tags.empty(),
        HubMetrics::slowConsumerCloses);
    counter(
        registry,
        snapshots,
        "hubcast.decode.errors",
        "Client messages the codec could not decode",
        null,
        Tags.empty(),
        HubMetrics::decodeErrors);
    counter(
        registry,
        snapshots,
        "hubcast.handler.errors",
        "Exceptions thrown by application handlers",
        null,
        Tags.empty(),
        HubMetrics::handlerErrors);
    byEnum(
        registry,
        snapshots,
        "hubcast.transport.violations",
        "Times the transport adapter broke a rule of the transport SPI, by rule",
        "rule",
        HubMetrics.TransportViolation.values(),
        HubMetrics::transportViolationsByRule);
    counter(
        registry,
        snapshots,
        "hubcast.rate.limited",
        "Client messages over the rate limit",
        null,
        Tags.empty(),
        HubMetrics::rateLimited);

    gauge(
        registry,
        "hubcast.outbox.pending",
        "Frames queued or in flight over all outboxes",
        null,
        h -> snapshots.of(h).pendingFrames());
    gauge(
        registry,
        "hubcast.outbox.pending.bytes",
        "Payload bytes queued or in flight over all outboxes",
        BaseUnits.BYTES,
        h -> snapshots.of(h).pendingBytes());
    gauge(
        registry,
        "hubcast.outbox.max",
        "Frames queued or in flight in the fullest outbox",
        null,
        h -> snapshots.of(h).maxPendingFrames());
    FunctionTimer.builder(
            "hubcast.fanout",
            hub,
            h -> snapshots.of(h).fanOutsTimed(),
            h -> snapshots.of(h).fanOutNanos(),
            TimeUnit.NANOSECONDS)
        .tags(tags)
        .description("Time to offer one broadcast to this node's recipients (one in 64 timed)")
        .register(registry);

    counter(
        registry,
        snapshots,
        "hubcast.backplane.published",
        "Envelopes published to the backplane",
        null,
        Tags.empty(),
        HubMetrics::backplanePublished);
    counter(
        registry,
        snapshots,
        "hubcast.backplane.publish.failures",
        "Envelopes the backplane failed to publish",
        null,
        Tags.empty(),
        HubMetrics::backplanePublishFailures);
    counter(
        registry,
        snapshots,
        "hubcast.backplane.received",
        "Envelopes received from other nodes",
        null,
        Tags.empty(),
        HubMetrics::backplaneReceived);
    counter(
        registry,
        snapshots,
        "hubcast.backplane.unreadable",
        "Envelopes received from the backplane that could not be read",
        null,
        Tags.empty(),
        HubMetrics::backplaneUnreadable);
    counter(
        registry,
        snapshots,
        "hubcast.backplane.gaps",
        "Envelopes from other nodes known to be missing",
        null,
        Tags.empty(),
        HubMetrics::backplaneGaps);
    FunctionTimer.builder(
            "hubcast.backplane.lag",
            hub,
            h -> snapshots.of(h).backplaneReceived(),
            h -> snapshots.of(h).backplaneLagMillis(),
            TimeUnit.MILLISECONDS)
        .tags(tags)
        .description("From an envelope's publication on its node to its arrival here")
        .register(registry);
    counter(
        registry,
        snapshots,
        "hubcast.room.gaps",
        "Room broadcasts lost on the way here for good",
        null,
        Tags.empty(),
        HubMetrics::roomGaps);
    counter(
        registry,
        snapshots,
        "hubcast.room.healed",
        "Room broadcasts lost on the way and read back from the store",
        null,
        Tags.empty(),
        HubMetrics::roomHealed);
    byEnum(
        registry,
        snapshots,
        "hubcast.resumes",
        "Joins with a resume, by outcome",
        "outcome",
        Replay.Outcome.values(),
        HubMetrics::resumes);
    counter(
        registry,
        snapshots,
        "hubcast.replayed",
        "Broadcasts queued by resumes",
        null,
        Tags.empty(),
        HubMetrics::framesReplayed);

    for (String room : rooms) {
      Gauge.builder("hubcast.room.members", hub, h -> h.members(room).size())
          .tags(tags.and("room", room))
          .description("Members of a named room on this node")
          .register(registry);
    }
  }

  /** One counter per value of an enum, tagged {@code key} with the value's name in lower case. */
  private <E extends Enum<E>> void byEnum(
      MeterRegistry registry,
      Snapshots snapshots,
      String name,
      String description,
      String key,
      E[] values,
      Function<HubMetrics, Map<E, Long>> counts) {
    for (E value : values) {
      counter(
          registry,
          snapshots,
          name,
          description,
          null,
          Tags.of(key, value.name().toLowerCase(Locale.ROOT)),
          m -> counts.apply(m).get(value));
    }
  }

  private void bindCloses(MeterRegistry registry, Snapshots snapshots) {
    String description = "Connections closed, by the close code the hub's handler heard";
    for (int code : CLOSE_CODES) {
      counter(
          registry,
          snapshots,
          "hubcast.connections.closed",
          description,
          null,
          Tags.of("code", Integer.toString(code)),
          m -> m.closesByCode().getOrDefault(code, 0L));
    }
    counter(
        registry,
        snapshots,
        "hubcast.connections.closed",
        description,
        null,
        Tags.of("code", "other"),
        m -> other(m.closesByCode()));
  }

  private static long other(Map<Integer, Long> closes) {
    long n = 0;
    for (Map.Entry<Integer, Long> e : closes.entrySet()) {
      if (!CLOSE_CODES.contains(e.getKey())) {
        n += e.getValue();
      }
    }
    return n;
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String description,
      String baseUnit,
      ToDoubleFunction<Hub<?>> value) {
    Gauge.builder(name, hub, value)
        .tags(tags)
        .description(description)
        .baseUnit(baseUnit)
        .register(registry);
  }

  private void counter(
      MeterRegistry registry,
      Snapshots snapshots,
      String name,
      String description,
      String baseUnit,
      Tags extra,
      ToDoubleFunction<HubMetrics> value) {
    FunctionCounter.builder(name, hub, h -> value.applyAsDouble(snapshots.of(h)))
        .tags(tags.and(extra))
        .description(description)
        .baseUnit(baseUnit)
        .register(registry);
  }

  /**
   * One binding's snapshots: {@link Hub#metrics()} at most once per {@link #SNAPSHOT_MILLIS}. It
   * holds the last snapshot, never the hub, which the meters hold weakly. Thread-safe: a race takes
   * two snapshots, never a torn one.
   */
  private static final class Snapshots {
    private volatile Taken last = new Taken(null, 0);

    HubMetrics of(Hub<?> hub) {
      long now = System.nanoTime();
      Taken t = last;
      if (t.metrics == null || now - t.at > TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_MILLIS)) {
        t = new Taken(hub.metrics(), now);
        last = t;
      }
      return t.metrics;
    }

    private record Taken(HubMetrics metrics, long at) {}
  }

  @Override
  public String toString() {
    return "HubcastMetrics[" + hub.nodeId() + ", tags=" + tags + ", rooms=" + rooms + "]";
  }
}
