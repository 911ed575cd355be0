package dev.hubcast.testkit;

import dev.hubcast.core.Hub;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;

/**
 * Abuse, faults and bad input against a transport: what a hostile or broken client sends, and what
 * the server must answer, with nothing else lost. Not thread-safe: JUnit runs one test of an
 * instance at a time, on a fresh instance and a fresh {@link KitFixture}.
 *
 * <p>An adapter runs it as it runs the {@link TransportCompatibilityKit}. The tests live in one
 * interface per contract, each a group below. {@link RawFramesContract} ("WebSocket on the wire")
 * writes raw frames, malformed upgrades, pings and half-open TCP connections: it is WebSocket's
 * own, and every test of it is skipped, saying so, when the server is not a WebSocket on a socket
 * ({@link TestServer#uri()} empty). The others ({@link MalformedHandshakeContract}, {@link
 * RateAndTimeLimitsContract}, {@link FaultsUnderLoadContract}) go through the transport's own
 * {@link TestClient}s and run on every transport.
 *
 * <p>Sizes are short by default so the suite stays quick; {@code -Dhubcast.hardening.long=true}
 * runs the long variants (10,000 churn cycles, 100 readers and 10,000 messages for the slow
 * consumer).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class HardeningKit {

  /** How long any single expected event may take. */
  protected static final Duration WAIT = KitFixture.WAIT;

  private final KitFixture kit = new KitFixture(this::start);

  /** Serves {@code hub} on the transport under test, on {@code 127.0.0.1} and an ephemeral port. */
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
   * WebSocket only: oversize, absurd and fragmented frames, text that is not UTF-8, malformed
   * upgrades, pings and half-open connections; skipped without a WebSocket socket; run by JUnit,
   * one test at a time.
   */
  @Nested
  @DisplayName("WebSocket on the wire")
  public class Frames implements RawFramesContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /**
   * Unwelcome handshakes are refused before anything is registered; run by JUnit, one test at a
   * time.
   */
  @Nested
  @DisplayName("Handshakes")
  public class Handshakes implements MalformedHandshakeContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /** Flooding; run by JUnit, one test at a time. */
  @Nested
  @DisplayName("Rate limits")
  public class Limits implements RateAndTimeLimitsContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /** Stalled clients, churn and shutdown under load; run by JUnit, one test at a time. */
  @Nested
  @DisplayName("Faults under load")
  public class UnderLoad implements FaultsUnderLoadContract {
    @Override
    public KitFixture kit() {
      return kit;
    }
  }

  /** A tiny helper for subclasses that want to send raw text. */
  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
