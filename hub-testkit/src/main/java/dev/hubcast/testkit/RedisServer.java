package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A real {@code redis-server} process on a free loopback port, for tests of code that talks to
 * Redis: started, killed at once and restarted on the same port, with nothing saved to disk (a
 * restart comes back empty). The {@code redis-server} executable must be on the {@code PATH}
 * ({@code scripts/install-test-deps.sh} installs it); if it is not, {@link #start()} throws an
 * {@link IOException} that says so, and the test fails. Not thread-safe: one test thread starts,
 * kills, restarts and closes it (other threads may use the Redis it runs meanwhile).
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *   RedisBackplane backplane = RedisBackplane.create(redis.uri());
 *   ...
 *   redis.kill();     // an outage
 *   redis.restart();  // Redis is back, empty, on the same port
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /**
   * Starts {@code redis-server} on a free port of 127.0.0.1 and waits until it answers {@code
   * PING}.
   *
   * @throws IOException if {@code redis-server} is not installed, or does not answer within 10 s
   *     (the message holds its log)
   */
  public static RedisServer start() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RedisServer server = new RedisServer(port, Files.createTempDirectory("hubcast-redis"));
    server.startProcess();
    return server;
  }

  /** Its address for clients: {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** The port it listens on; the same across restarts. */
  public int port() {
    return port;
  }

  /**
   * Starts the process again on the same port after {@link #kill()}, empty, and waits until it
   * answers {@code PING}.
   *
   * @throws IllegalStateException if it is still running
   * @throws IOException as {@link #start()}
   */
  public void restart() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is still running");
    }
    startProcess();
  }

  private void startProcess() throws IOException {
    Path log = dir.resolve("redis.log");
    try {
      process =
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IOException(
          "cannot run redis-server (install it: scripts/install-test-deps.sh): " + e.getMessage(),
          e);
    }
    Process started = process;
    try {
      Awaitility.await("redis-server to answer PING on port " + port)
          .atMost(START_TIMEOUT)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20))
          .pollInSameThread()
          .failFast("redis-server exited", () -> !started.isAlive())
          .until(this::ping);
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new IOException(
          "redis-server did not start on port " + port + ": " + Files.readString(log), e);
    }
  }

  /** Kills the process at once (no shutdown, no goodbye to clients) and waits until it is gone. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private boolean ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.read(buf);
      return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Publishes raw bytes on a channel over a fresh socket, as a foreign writer would (for tests of
   * what a subscriber does with garbage), and waits for Redis's answer.
   */
  public void publishRaw(String channel, byte[] payload) throws IOException {
    requireNonNull(channel, "channel");
    requireNonNull(payload, "payload");
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      byte[] ch = channel.getBytes(StandardCharsets.UTF_8);
      out.write(
          ("*3\r\n$7\r\nPUBLISH\r\n$" + ch.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(ch);
      out.write(("\r\n$" + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.setSoTimeout(2000);
      s.getInputStream().read(new byte[64]);
    }
  }

  /** Kills the process. */
  @Override
  public void close() throws InterruptedException {
    kill();
  }

  @Override
  public String toString() {
    return "RedisServer[" + uri() + "]";
  }
}
