package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.Target;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * What the {@link TransportCompatibilityKit} and the {@link HardeningKit} stand on: hubs served on
 * the transport under test, the clients connected to them, and everything closed after the test in
 * reverse order. One fixture serves one test; the kits make a fresh one per test and close it in
 * their {@code @AfterEach}. Thread-safe for {@link #closeAfter}, which the test and the threads it
 * starts may call at once; the rest is for the test's thread.
 *
 * <p>A contract reaches it through its {@code kit()} method:
 *
 * <pre>{@code
 * KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
 * TestClient a = s.connect("a"); // tagged, and registered by the hub once this returns
 * s.hub().broadcast(Target.all(), "hi");
 * assertThat(a.awaitText(KitFixture.WAIT)).isEqualTo("hi");
 * }</pre>
 */
public final class KitFixture implements AutoCloseable {

  /** How long any single expected event may take. */
  public static final Duration WAIT = Duration.ofSeconds(15);

  private static final Duration POLL = Duration.ofMillis(2);

  /**
   * Serves a hub on the transport under test, on {@code 127.0.0.1} and an ephemeral port. Called on
   * the test's thread.
   */
  @FunctionalInterface
  public interface ServerFactory {
    /** Serves {@code hub} and returns how test clients reach it. */
    TestServer start(Hub<String> hub) throws Exception;
  }

  private final ServerFactory factory;
  private final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());
  private final List<Hub<String>> hubs = Collections.synchronizedList(new ArrayList<>());

  /** A fixture whose hubs are served by {@code factory}. */
  public KitFixture(ServerFactory factory) {
    this.factory = requireNonNull(factory, "factory");
  }

  /**
   * An Awaitility wait of at most {@link #WAIT} for state that has no event to wait on (a hub's
   * registry, its metrics), checked every 2 ms on the calling thread; on timeout it fails with
   * {@code what} and, for {@code untilAsserted}, the last assertion's message.
   */
  public static ConditionFactory await(String what) {
    return await(what, WAIT);
  }

  /** As {@link #await(String)}, for at most {@code atMost}. */
  public static ConditionFactory await(String what, Duration atMost) {
    return Awaitility.await(what)
        .atMost(atMost)
        .pollDelay(Duration.ZERO)
        .pollInterval(POLL)
        .pollInSameThread();
  }

  /** Closes {@code resource} after the test, before what was registered earlier; returns it. */
  public <T extends AutoCloseable> T closeAfter(T resource) {
    resources.add(requireNonNull(resource, "resource"));
    return resource;
  }

  /**
   * Creates a hub from {@code config} (with a 2 s drain), serves it, and closes both after the
   * test.
   */
  public Served serve(HubConfig.Builder<String> config) throws Exception {
    Hub<String> hub = Hub.create(config.drainTimeout(Duration.ofSeconds(2)).build());
    hubs.add(hub);
    closeAfter(() -> awaitShutdown(hub));
    TestServer server = closeAfter(factory.start(hub));
    return new Served(hub, server);
  }

  /** Shuts {@code hub} down; if that takes over 30 s, fails naming the connections still open. */
  private static void awaitShutdown(Hub<String> hub) throws Exception {
    try {
      hub.shutdown(Duration.ZERO).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      StringBuilder open = new StringBuilder();
      for (Client c : hub.clients()) {
        open.append(
            String.format(
                "%n  %s open=%s pending=%d frames/%d bytes",
                c.id(), c.isOpen(), c.pendingFrames(), c.pendingBytes()));
      }
      throw new AssertionError(
          "the hub did not shut down within 30 s; the transport never reported the close of:"
              + open
              + "\n  metrics: "
              + hub.metrics(),
          e);
    }
  }

  /**
   * Closes everything registered, last first; every one is closed even if some fail, and the first
   * failure is thrown at the end. Then fails if a hub served here saw the transport break a rule of
   * the SPI ({@link HubMetrics#transportViolations()}), naming the rules.
   */
  @Override
  public void close() throws Exception {
    Exception first = closeResources();
    AssertionError broken = violations();
    if (broken != null) {
      if (first != null) {
        broken.addSuppressed(first);
      }
      throw broken;
    }
    if (first != null) {
      throw first;
    }
  }

  /** The rules a served hub saw broken, as a failure; null if none. */
  private AssertionError violations() {
    List<Hub<String>> all;
    synchronized (hubs) {
      all = new ArrayList<>(hubs);
      hubs.clear();
    }
    StringBuilder broken = new StringBuilder();
    for (Hub<String> hub : all) {
      HubMetrics m = hub.metrics();
      if (m.transportViolations() > 0) {
        Map<HubMetrics.TransportViolation, Long> byRule =
            new java.util.EnumMap<>(HubMetrics.TransportViolation.class);
        m.transportViolationsByRule()
            .forEach(
                (rule, n) -> {
                  if (n > 0) {
                    byRule.put(rule, n);
                  }
                });
        broken
            .append(broken.length() == 0 ? "" : "; ")
            .append("transportViolations=")
            .append(m.transportViolations())
            .append(' ')
            .append(byRule);
      }
    }
    return broken.length() == 0
        ? null
        : new AssertionError(
            "the transport broke rules of the SPI (dev.hubcast.core.spi) that the hub saw: "
                + broken);
  }

  private Exception closeResources() {
    List<AutoCloseable> all;
    synchronized (resources) {
      all = new ArrayList<>(resources);
      resources.clear();
    }
    Collections.reverse(all);
    Exception first = null;
    for (AutoCloseable r : all) {
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    return first;
  }

  /**
   * A running hub and its server, with the ways a test reaches them. For the test's thread.
   *
   * <p>Clients connected with a tag ({@link #connect(String)}) are found again in the hub by the
   * {@code tag} query parameter ({@link #find}, {@link #id}).
   */
  public final class Served {
    private final Hub<String> hub;
    private final TestServer server;

    private Served(Hub<String> hub, TestServer server) {
      this.hub = hub;
      this.server = server;
    }

    /** The hub under test. */
    public Hub<String> hub() {
      return hub;
    }

    /** Its server on the transport under test. */
    public TestServer server() {
      return server;
    }

    /**
     * The server's WebSocket address. A test that asks for it on a transport that is not a
     * WebSocket on a socket is skipped ({@link #assumeWebSocket}).
     */
    public URI uri() {
      assumeWebSocket();
      return server.uri().orElseThrow();
    }

    /**
     * Skips the test, saying why, unless the server is a WebSocket on a socket ({@link
     * TestServer#uri()} present): what the test writes or reads is WebSocket's own.
     */
    public void assumeWebSocket() {
      Assumptions.assumeTrue(
          server.uri().isPresent(),
          () ->
              "needs a WebSocket on a socket (raw frames, upgrades, pings or TCP), and "
                  + server
                  + " has none (TestServer.uri() is empty)");
    }

    /** Skips the test, saying why, unless clients can send binary. */
    public void assumeClientsSendBinary() {
      Assumptions.assumeTrue(
          server.clientsSendBinary(),
          () ->
              "needs clients that send binary messages, and "
                  + server
                  + "'s cannot (TestServer.clientsSendBinary() is false)");
    }

    /** Skips the test, saying why, unless a client's close code reaches the server. */
    public void assumeClientsSendCloseCodes() {
      Assumptions.assumeTrue(
          server.clientsSendCloseCodes(),
          () ->
              "needs clients whose close code reaches the server, and "
                  + server
                  + "'s can only drop the connection (TestServer.clientsSendCloseCodes() is"
                  + " false)");
    }

    /**
     * Waits for {@code client}'s connection to end and checks the server's close code, if the
     * transport's clients see close codes ({@link TestServer#clientsSeeCloseCodes()}); returns what
     * the client saw.
     */
    public TestClient.CloseStatus assertClosedWith(TestClient client, int code) {
      TestClient.CloseStatus status = client.awaitClose(WAIT);
      if (server.clientsSeeCloseCodes()) {
        assertThat(status.code()).as("close code the client saw (%s)", status).isEqualTo(code);
      }
      return status;
    }

    /** How long a wait that may include noticing a lost connection takes at most. */
    public Duration lossWait() {
      return WAIT.plus(server.lostConnectionNoticedWithin());
    }

    /** Connects a client tagged {@code tag} and waits until the hub has registered it. */
    public TestClient connect(String tag) throws Exception {
      return connect(tag, "", Map.of());
    }

    /**
     * Connects a client tagged {@code tag} with more query parameters and headers, and waits until
     * the hub has registered it.
     */
    public TestClient connect(String tag, String query, Map<String, String> headers)
        throws Exception {
      String q = "tag=" + tag + (query.isEmpty() ? "" : "&" + query);
      TestClient c = abortAfter(server.connect(q, headers));
      await("the hub to register the connection tagged " + tag).until(() -> find(tag) != null);
      return c;
    }

    /** Connects an untagged client and returns once its handshake is done. */
    public TestClient client() throws Exception {
      return abortAfter(server.connect("", Map.of()));
    }

    /**
     * Drops the client's connection after the test, closed or not: a client that saw a close but
     * whose answer never left would otherwise hold the hub's shutdown for a close timeout.
     */
    private TestClient abortAfter(TestClient c) {
      closeAfter(c::abort);
      return c;
    }

    /** A raw client that has completed its upgrade. */
    public RawWebSocket raw() throws IOException {
      return closeAfter(RawWebSocket.open(uri()));
    }

    /** A raw TCP connection that has sent nothing yet. */
    public RawWebSocket tcp() throws IOException {
      return closeAfter(RawWebSocket.tcp(uri()));
    }

    /** The hub's view of the connection tagged {@code tag}, or null. */
    public Client find(String tag) {
      for (Client c : hub.clients()) {
        if (c.handshake().queryParam("tag").orElse("").equals(tag)) {
          return c;
        }
      }
      return null;
    }

    /** The id of the connection tagged {@code tag}; fails the test if there is none. */
    public String id(String tag) {
      Client c = find(tag);
      assertThat(c).as("connection tagged %s", tag).isNotNull();
      return c.id();
    }

    /** Waits until the hub has exactly {@code n} connections. */
    public void awaitConnections(int n) {
      await(n + " connections", lossWait())
          .untilAsserted(() -> assertThat(hub.clients()).as("%s", hub.metrics()).hasSize(n));
    }

    /** Waits until registry, rooms, users and outboxes are empty and no connection is counted. */
    public void awaitEmpty() {
      await("registry, rooms, users and outboxes to be empty", lossWait())
          .untilAsserted(
              () -> {
                HubMetrics m = hub.metrics();
                assertThat(
                        hub.clients().isEmpty()
                            && hub.rooms().isEmpty()
                            && hub.users().isEmpty()
                            && m.connections() == 0
                            && m.pendingFrames() == 0)
                    .as("empty; last seen %s, rooms %s, users %s", m, hub.rooms(), hub.users())
                    .isTrue();
              });
    }

    /**
     * Checks that nothing was queued for the client tagged {@code tag}: a marker sent now is the
     * next message it gets.
     */
    public void assertSilent(TestClient client, String tag) {
      hub.broadcast(Target.connection(id(tag)), "marker");
      assertThat(client.awaitText(WAIT)).as("next message for %s", tag).isEqualTo("marker");
    }

    /** Checks that {@code other} still gets a broadcast: nothing else was affected. */
    public void assertOthersUnaffected(TestClient other) {
      hub.broadcast(Target.all(), "still here");
      String m;
      do {
        m = other.awaitText(WAIT);
      } while (!m.equals("still here"));
    }
  }
}
