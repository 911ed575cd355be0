package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.core.spi.HubServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resource exhaustion against an embedded server, on Linux (each test is skipped elsewhere, saying
 * why): the server at its file-descriptor limit, and a flood of TCP connections that never finish a
 * handshake. Each test logs what it measured (the established clients' latency before and during,
 * the server's CPU time and log volume at the limit); none asserts a latency, which is the
 * benchmarks' business ({@code docs/benchmarks.md}).
 *
 * <p>An adapter extends it with a class that has a no-argument constructor: the file-descriptor
 * test runs the server in a child JVM on the test's class path, which makes an instance of that
 * class and calls its {@link #start}.
 *
 * <pre>{@code
 * class NettyExhaustionTest extends ExhaustionKit {
 *   protected HubServer start(Hub<String> hub) {
 *     return NettyHubServer.builder(hub).host("127.0.0.1").port(0).start();
 *   }
 * }
 * }</pre>
 *
 * <p>The flood is 10,000 connections (about 15 s per adapter on a 2-core machine). The server stays
 * 4 s at its descriptor limit; {@code -Dhubcast.hardening.long=true} keeps it there 60 s. Not
 * thread-safe: JUnit runs one test of an instance at a time.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class ExhaustionKit {

  private static final Logger log = LoggerFactory.getLogger(ExhaustionKit.class);

  /** The file-descriptor limit of the server's JVM in the file-descriptor test. */
  static final int FD_LIMIT = 256;

  /** Stamped messages per second to the established clients. */
  static final int RATE = 20;

  private final List<AutoCloseable> resources = new ArrayList<>();

  /**
   * Serves {@code hub} on the transport under test at {@code 127.0.0.1} and an ephemeral port; in
   * the test's JVM, or in the child JVM of the file-descriptor test.
   */
  protected abstract HubServer start(Hub<String> hub) throws Exception;

  /** Whether to run the long variants. */
  private static boolean longRun() {
    return Boolean.getBoolean("hubcast.hardening.long");
  }

  @AfterEach
  void closeResources() throws Exception {
    Exception first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    resources.clear();
    if (first != null) {
      throw first;
    }
  }

  private <T extends AutoCloseable> T closeAfter(T resource) {
    resources.add(resource);
    return resource;
  }

  private static void assumeLinux() {
    Assumptions.assumeTrue(
        ChildJvm.supported(),
        "needs Linux: /proc for the server's file descriptors and CPU time, bash for ulimit");
  }

  @Test
  @DisplayName(
      "at the file-descriptor limit the server keeps its clients, refuses newcomers without"
          + " spinning or crashing, and takes clients again once descriptors are free")
  void fileDescriptorLimit_keepsClientsRefusesNewcomersWithoutSpinning() throws Exception {
    assumeLinux();
    ChildJvm server =
        closeAfter(
            ChildJvm.start(
                FD_LIMIT,
                ChildServer.class.getName(),
                getClass().getName(),
                // long enough that the connections holding the descriptors stay for the test
                String.valueOf(Duration.ofMinutes(10).toMillis())));
    URI uri = URI.create(server.awaitLine("URI ", WAIT));
    int port = uri.getPort();
    int startFds = server.openFileDescriptors();

    // Established clients; the first sends a stamped message 20 times a second, which the server
    // relays to all (BroadcastPolicy.ALL).
    List<LatencyProbe> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      LatencyProbe p = LatencyProbe.connect(uri);
      closeAfter(p::abort);
      clients.add(p);
    }
    LatencyProbe sender = clients.get(0);
    AtomicLong sent = new AtomicLong();
    ScheduledExecutorService ticker = ticker();
    closeAfter(ticker::shutdownNow);
    ticker.scheduleAtFixedRate(
        () -> sender.sendStamped(sent.getAndIncrement()),
        0,
        1_000_000 / RATE,
        TimeUnit.MICROSECONDS);
    long beforeFrom = 5; // the first few warm up the path
    long beforeTo = awaitAllReceived(clients, beforeFrom + 2 * RATE);

    // Raw TCP connections until the server can take no more: it has FD_LIMIT descriptors open,
    // and a few more connections wait in its accept backlog (the kernel completes their TCP
    // handshakes; the server's accept fails with EMFILE).
    List<Socket> raw = new ArrayList<>();
    closeAfter(() -> closeAll(raw));
    KitFixture.await("the server at its descriptor limit", WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              int missing = FD_LIMIT - server.openFileDescriptors();
              for (int i = 0; i < missing; i++) {
                raw.add(tcp(port));
              }
              return missing <= 0;
            });
    for (int i = 0; i < 16; i++) {
      try {
        raw.add(tcp(port));
      } catch (IOException backlogFull) {
        break;
      }
    }
    KitFixture.await("the server to log that it cannot accept", WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> countAcceptFailures(server.logLines()) > 0);

    // At the limit: a window (4 s, or 60 s in the long run) while the server cannot accept.
    int windowMessages = (longRun() ? 60 : 4) * RATE;
    Duration cpuBefore = server.cpuTime();
    int failuresBefore = countAcceptFailures(server.logLines());
    int linesBefore = server.logLines().size();
    long windowStart = System.nanoTime();
    long atLimitFrom = sent.get();

    String newcomer = tryHandshake(uri, Duration.ofSeconds(2));
    server.assertAlive();

    long atLimitTo =
        awaitAllReceived(
            clients, atLimitFrom + windowMessages, WAIT.plusSeconds(windowMessages / RATE));
    double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
    Duration cpu = server.cpuTime().minus(cpuBefore);
    List<String> logNow = server.logLines();
    int failures = countAcceptFailures(logNow) - failuresBefore;
    int lines = logNow.size() - linesBefore;
    assertThat(server.openFileDescriptors())
        .as("descriptors at the end of the window")
        .isEqualTo(FD_LIMIT);
    server.assertAlive();

    // Descriptors free again: the raw connections go, and a newcomer is served.
    closeAll(raw);
    KitFixture.await("the server to close the dropped connections", WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> server.openFileDescriptors() <= startFds + 2 * clients.size() + 8);
    LatencyProbe later = LatencyProbe.connect(uri);
    closeAfter(later::abort);
    KitFixture.await("the newcomer to get a relayed message", WAIT)
        .until(() -> later.deliveries() > 0);
    stop(ticker);
    long end = sent.get();
    awaitAllReceived(clients, end);

    List<Long> before = new ArrayList<>();
    List<Long> atLimit = new ArrayList<>();
    for (LatencyProbe c : clients) {
      assertThat(c.faults()).as("what went wrong for an established client").isEmpty();
      c.latencies(beforeFrom, beforeTo, before);
      c.latencies(atLimitFrom, atLimitTo, atLimit);
    }
    log.info(
        "{}: fd limit {} ({} open at start, {} raw connections held); newcomer at the limit: {};"
            + " over {} s at the limit: CPU {} ms, {} accept failures logged in {} log lines;"
            + " {} established clients, relayed latency before: {}; at the limit: {}",
        getClass().getSimpleName(),
        FD_LIMIT,
        startFds,
        raw.size(),
        newcomer,
        String.format("%.1f", windowSeconds),
        cpu.toMillis(),
        failures,
        lines,
        clients.size(),
        LatencyProbe.summary(before),
        LatencyProbe.summary(atLimit));

    assertThat(newcomer).as("a handshake at the limit").doesNotStartWith("101");
    // Serving the clients takes 1-3% of a core here. A busy accept loop takes what the machine
    // gives it: an acceptor that retried at once took 37% of a core on a loaded 2-core machine.
    assertThat(cpu.toMillis())
        .as("server CPU time over %.1f s at the limit, ms", windowSeconds)
        .isLessThan((long) (windowSeconds * 1000 / 10));
    // A bounded log: each adapter pauses its accepts for a second after a failure.
    assertThat(failures)
        .as("accept failures logged over %.1f s", windowSeconds)
        .isLessThanOrEqualTo((int) (windowSeconds * 2) + 2);
    assertThat(logNow)
        .as("the server's log")
        .noneMatch(l -> l.contains("OutOfMemoryError") || l.startsWith("Exception in thread"));
  }

  @Test
  @DisplayName(
      "a flood of half-open TCP connections is dropped by the handshake timeout; established"
          + " clients get every message in order")
  void halfOpenFlood_droppedByHandshakeTimeout() throws Exception {
    assumeLinux();
    int count = 10_000;
    int established = 100;
    Duration handshakeTimeout = Duration.ofSeconds(2);
    Duration slack = Duration.ofSeconds(5);
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .policy(BroadcastPolicy.NONE)
                .handshakeTimeout(handshakeTimeout)
                .build());
    closeAfter(() -> hub.shutdown(Duration.ZERO).get(30, TimeUnit.SECONDS));
    HubServer server = start(hub);
    closeAfter(server::close);
    URI uri = server.uri();

    List<LatencyProbe> clients = new ArrayList<>();
    for (int i = 0; i < established; i++) {
      LatencyProbe p = LatencyProbe.connect(uri);
      closeAfter(p::abort);
      clients.add(p);
    }
    KitFixture.await("the established clients registered")
        .until(() -> hub.connectionCount() == established);

    // The flood comes from a JVM of its own: in this one its sockets would count against the
    // same descriptor limit as the server's.
    ChildJvm flood =
        closeAfter(
            ChildJvm.start(
                0,
                HalfOpenFlood.class.getName(),
                "127.0.0.1",
                String.valueOf(server.port()),
                String.valueOf(count),
                String.valueOf(Duration.ofSeconds(90).toMillis())));
    flood.awaitLine("READY", WAIT);

    AtomicLong sent = new AtomicLong();
    ScheduledExecutorService ticker = ticker();
    closeAfter(ticker::shutdownNow);
    ticker.scheduleAtFixedRate(
        () -> hub.broadcast(Target.all(), LatencyProbe.stamp(sent.getAndIncrement())),
        0,
        1_000_000 / RATE,
        TimeUnit.MICROSECONDS);
    long beforeFrom = 5;
    long beforeTo = awaitAllReceived(clients, beforeFrom + 3 * RATE);

    long duringFrom = sent.get();
    flood.send("go");
    String connected = flood.awaitLine("CONNECTED ", Duration.ofSeconds(90));
    Map<String, String> done = keyValues(flood.awaitLine("DONE ", Duration.ofSeconds(100)));
    long duringTo = sent.get();
    awaitAllReceived(clients, duringTo + RATE); // and a second after
    stop(ticker);
    long end = sent.get();
    awaitAllReceived(clients, end);

    List<Long> before = new ArrayList<>();
    List<Long> during = new ArrayList<>();
    for (LatencyProbe c : clients) {
      assertThat(c.faults()).as("what went wrong for an established client").isEmpty();
      c.latencies(beforeFrom, beforeTo, before);
      c.latencies(duringFrom, duringTo, during);
    }
    log.info(
        "{}: {} half-open connections (handshake timeout {} ms), connected in {} ms: {};"
            + " {} established clients at {}/s, latency before: {}; during: {}",
        getClass().getSimpleName(),
        count,
        handshakeTimeout.toMillis(),
        connected,
        done,
        established,
        RATE,
        LatencyProbe.summary(before),
        LatencyProbe.summary(during));

    assertThat(done.get("connected")).as("flood connections made: %s", done).isEqualTo("" + count);
    assertThat(done.get("closed")).as("closed by the server: %s", done).isEqualTo("" + count);
    assertThat(Long.parseLong(done.get("maxCloseMillis")))
        .as("longest a flood connection stayed open, ms: %s", done)
        .isLessThanOrEqualTo(handshakeTimeout.plus(slack).toMillis());
    assertThat(Long.parseLong(done.get("minCloseMillis")))
        .as("shortest a flood connection stayed open, ms: %s", done)
        // a client thread descheduled right after its connect notes the connection late
        .isGreaterThanOrEqualTo(handshakeTimeout.toMillis() - 500);
    assertThat(hub.connectionCount()).as("the hub's connections").isEqualTo(established);
    assertThat(hub.metrics().connectionsOpened()).as("connections opened").isEqualTo(established);
    assertThat(hub.metrics().transportViolations()).as("transport violations").isZero();
  }

  @Test
  @DisplayName(
      "an upgrade request trickled a byte at a time is dropped at the handshake timeout, though"
          + " the connection is never idle")
  void trickledRequest_droppedAtHandshakeTimeout() throws Exception {
    Duration handshakeTimeout = Duration.ofSeconds(1);
    Duration slack = Duration.ofSeconds(3);
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .policy(BroadcastPolicy.NONE)
                .handshakeTimeout(handshakeTimeout)
                .build());
    closeAfter(() -> hub.shutdown(Duration.ZERO).get(30, TimeUnit.SECONDS));
    HubServer server = start(hub);
    closeAfter(server::close);
    URI uri = server.uri();
    // A request whose head never ends: an upgrade, then a header longer than the test.
    byte[] request =
        (RawWebSocket.upgradeRequest(uri.getPath()).replace("\r\n\r\n", "\r\n")
                + "X-Slow: "
                + "a".repeat(1000))
            .getBytes(StandardCharsets.ISO_8859_1);

    try (Socket s = closeAfter(tcp(uri.getPort()))) {
      long start = System.nanoTime();
      long deadline = start + handshakeTimeout.plus(slack).toNanos();
      // Each read waits 100 ms for the server to close: the pacing of the bytes as well.
      s.setSoTimeout(100);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      String ended = null;
      // One byte every 100 ms: never idle for longer than a tenth of the timeout.
      for (int i = 0; i < request.length && ended == null && System.nanoTime() < deadline; i++) {
        try {
          out.write(request[i]);
          out.flush();
        } catch (IOException e) {
          ended = "write failed: " + e.getMessage();
          break;
        }
        try {
          int b = in.read();
          ended = b < 0 ? "closed" : "answered: " + (char) b;
        } catch (SocketTimeoutException e) {
          // nothing yet
        } catch (SocketException e) {
          ended = "reset";
        }
      }
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      log.info(
          "{}: a request trickled a byte every 100 ms, handshake timeout {} ms: {} after {} ms",
          getClass().getSimpleName(),
          handshakeTimeout.toMillis(),
          ended,
          tookMillis);
      assertThat(ended)
          .as("the trickling connection after %d ms", tookMillis)
          .isIn("closed", "reset");
      assertThat(tookMillis)
          .as("how long the trickling connection stayed, ms")
          .isGreaterThanOrEqualTo(handshakeTimeout.toMillis() - 500);
    }
    assertThat(hub.metrics().connectionsOpened()).as("connections opened").isZero();
  }

  private static ScheduledExecutorService ticker() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "exhaustion-ticker");
          t.setDaemon(true);
          return t;
        });
  }

  /** Stops {@code ticker} and waits for a tick under way, so that every number taken was sent. */
  private static void stop(ScheduledExecutorService ticker) throws InterruptedException {
    ticker.shutdown();
    assertThat(ticker.awaitTermination(5, TimeUnit.SECONDS)).as("the ticker stopped").isTrue();
  }

  /** Waits until every client has received the messages numbered below {@code n}; returns n. */
  private static long awaitAllReceived(List<LatencyProbe> clients, long n) {
    return awaitAllReceived(clients, n, WAIT);
  }

  /** As {@link #awaitAllReceived(List, long)}, for at most {@code timeout}. */
  private static long awaitAllReceived(List<LatencyProbe> clients, long n, Duration timeout) {
    KitFixture.await("every established client to receive " + n + " messages", timeout)
        .pollInterval(Duration.ofMillis(10))
        .untilAsserted(
            () -> {
              for (LatencyProbe c : clients) {
                assertThat(c.faults()).as("what went wrong for an established client").isEmpty();
                assertThat(c.received()).as("messages received in order").isGreaterThanOrEqualTo(n);
              }
            });
    return n;
  }

  /** A TCP connection to {@code 127.0.0.1:port} that sends nothing. */
  private static Socket tcp(int port) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /**
   * Sends an upgrade request on a new connection and returns what came back within {@code timeout}:
   * the status line, "no answer in ...", "closed", "reset" or "connect failed: ...".
   */
  private static String tryHandshake(URI uri, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(RawWebSocket.upgradeRequest(uri.getPath()).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
      String status = r.readLine();
      return status == null ? "closed" : status.replaceFirst("^HTTP/1\\.1 ", "");
    } catch (SocketTimeoutException e) {
      return "no answer in " + timeout.toMillis() + " ms";
    } catch (SocketException e) {
      return "reset (" + e.getMessage() + ")";
    } catch (IOException e) {
      return "connect failed: " + e;
    }
  }

  /** Log lines that report a failed accept: each adapter's, with the kernel's EMFILE. */
  private static int countAcceptFailures(List<String> lines) {
    int n = 0;
    for (String l : lines) {
      if (l.contains("Too many open files")) {
        n++;
      }
    }
    return n;
  }

  private static Map<String, String> keyValues(String line) {
    Map<String, String> m = new HashMap<>();
    for (String kv : line.trim().split(" ")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        m.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return m;
  }

  /**
   * The server of the file-descriptor test, in a child JVM: a hub relaying every message to every
   * connection ({@link BroadcastPolicy#ALL}) with the handshake timeout given, served by the
   * adapter's {@link #start}. Prints {@code URI <its WebSocket URI>}, runs until its standard input
   * ends, then stops. Arguments: the adapter's test class (an {@code ExhaustionKit} with a
   * no-argument constructor) and the handshake timeout in milliseconds.
   */
  static final class ChildServer {
    private ChildServer() {}

    public static void main(String[] args) throws Exception {
      Constructor<?> c = Class.forName(args[0]).getDeclaredConstructor();
      c.setAccessible(true);
      ExhaustionKit kit = (ExhaustionKit) c.newInstance();
      Hub<String> hub =
          Hub.create(
              HubConfig.textBuilder()
                  .policy(BroadcastPolicy.ALL)
                  .handshakeTimeout(Duration.ofMillis(Long.parseLong(args[1])))
                  .build());
      HubServer server = kit.start(hub);
      System.out.println("URI " + server.uri());
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // until the test closes our standard input, or dies
      }
      hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
      server.close();
      System.exit(0);
    }
  }
}
