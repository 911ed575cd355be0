package dev.hubcast.testkit;

import dev.hubcast.core.Hub;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance kit every transport adapter runs unchanged: the behaviour a hub promises, checked
 * through the adapter with real clients. Not thread-safe: JUnit runs one test of an instance at a
 * time, on a fresh instance and a fresh {@link KitFixture}.
 *
 * <p>An adapter runs it by extending it and serving a hub on its transport:
 *
 * <pre>{@code
 * class JettyTransportCompatibilityTest extends TransportCompatibilityKit {
 *   protected TestServer start(Hub<String> hub) throws Exception {
 *     JettyHubServer server = JettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
 *     return TestServer.webSocket(server.uri(), server);
 *   }
 * }
 * }</pre>
 *
 * <p>The tests live in one interface per contract ({@link DeliveryContract}, {@link
 * LimitsContract}, {@link FlowControlContract}, {@link HandshakeContract}, {@link
 * ConnectionRulesContract}, {@link LifecycleContract}), each a group below. Each test makes its own
 * hub, serves it with {@link #start}, and closes everything after; after every test the fixture
 * fails if the hub saw the transport break a rule of the SPI ({@code
 * HubMetrics.transportViolations()}). What a hub means by its targets (rooms, users, history, relay
 * policies) no transport can change; the core's own tests check it, and one room broadcast here
 * checks it end to end. The {@link HardeningKit} adds abuse and faults.
 *
 * <p>The kit is transport-neutral: a test that needs what the transport lacks (binary from clients,
 * a client's close code, a WebSocket socket; see {@link TestServer}'s capability methods) is
 * skipped with the reason, never failed. Each test has 30 s, and each rule test fails within a few
 * seconds of the rule being broken.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class TransportCompatibilityKit {

  /** How long any single expected event may take. */
  protected static final Duration WAIT = KitFixture.WAIT;

  private final KitFixture kit = new KitFixture(this::start);

  /**
   * Serves {@code hub} on the transport under test, on {@code 127.0.0.1} and an ephemeral port, and
   * returns how test clients reach it.
   */
  protected abstract TestServer start(Hub<String> hub) throws Exception;

  /** The fixture of the running test. */
  protected final KitFixture kit() {
    return kit;
  }

  @AfterEach
  void closeResources() throws Exception {
    kit.close();
  }

  /**
   * Broadcasts reach their recipients, whole, once and in order; run by JUnit, one test at a time.
   */
  @Nested
  @DisplayName("Delivery")
  public class Delivery implements DeliveryContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /**
   * Oversize and undecodable messages, and a handler that throws; run by JUnit, one test at a time.
   */
  @Nested
  @DisplayName("Limits and bad input")
  public class Limits implements LimitsContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /** A client that stops reading, beside one that reads; run by JUnit, one test at a time. */
  @Nested
  @DisplayName("Flow control")
  public class FlowControl implements FlowControlContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /**
   * What the handshake carries, and refusals before the upgrade; run by JUnit, one test at a time.
   */
  @Nested
  @DisplayName("Handshake")
  public class Handshake implements HandshakeContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /**
   * The numbered rules of the transport SPI, each checked directly so that a transport that breaks
   * one fails within seconds, naming it; run by JUnit, one test at a time.
   */
  @Nested
  @DisplayName("SPI rules")
  public class ConnectionRules implements ConnectionRulesContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /**
   * Disconnects, and a shutdown with a client that stopped reading; run by JUnit, one test at a
   * time.
   */
  @Nested
  @DisplayName("Lifecycle")
  public class Lifecycle implements LifecycleContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }
}
