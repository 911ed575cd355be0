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
import java.util.ArrayList;
import java.util.List;
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
  private final String password; // null: none
  private final TestCertificates tls; // null: plain TCP
  private Process process;

  private RedisServer(int port, Path dir, String password, TestCertificates tls) {
    this.port = port;
    this.dir = dir;
    this.password = password;
    this.tls = tls;
  }

  /**
   * Starts {@code redis-server} on a free port of 127.0.0.1 and waits until it answers {@code
   * PING}.
   *
   * @throws IOException if {@code redis-server} is not installed, or does not answer within 10 s
   *     (the message holds its log)
   */
  public static RedisServer start() throws IOException {
    return start(null, null);
  }

  /**
   * Starts {@code redis-server} as {@link #start()} does, requiring {@code password} ({@code
   * requirepass}; null for none) and, with {@code tls}, speaking only TLS on its port with that
   * certificate (clients are not asked for one).
   */
  public static RedisServer start(String password, TestCertificates tls) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RedisServer server =
        new RedisServer(port, Files.createTempDirectory("hubcast-redis"), password, tls);
    server.startProcess();
    return server;
  }

  /**
   * Its address for clients: {@code redis://127.0.0.1:PORT}; {@code rediss://} with TLS, and with
   * the password in it ({@code redis://:PASSWORD@127.0.0.1:PORT}) when it has one.
   */
  public String uri() {
    return (tls == null ? "redis://" : "rediss://")
        + (password == null ? "" : ":" + password + "@")
        + "127.0.0.1:"
        + port;
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
      List<String> command =
          new ArrayList<>(
              List.of(
                  "redis-server",
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  dir.toString()));
      if (tls == null) {
        command.addAll(List.of("--port", Integer.toString(port)));
      } else {
        command.addAll(
            List.of(
                "--port",
                "0",
                "--tls-port",
                Integer.toString(port),
                "--tls-cert-file",
                tls.certificatePem().toString(),
                "--tls-key-file",
                tls.privateKeyPem().toString(),
                "--tls-ca-cert-file",
                tls.certificatePem().toString(),
                "--tls-auth-clients",
                "no"));
      }
      if (password != null) {
        command.addAll(List.of("--requirepass", password));
      }
      process =
          new ProcessBuilder(command)
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
    try (Socket s = open(500)) {
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

  /** A connection to it, over TLS if it speaks TLS, authenticated if it has a password. */
  private Socket open(int timeoutMillis) throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress("127.0.0.1", port), 200);
      plain.setSoTimeout(timeoutMillis);
      Socket s =
          tls == null
              ? plain
              : tls.clientContext().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
      if (password != null) {
        s.getOutputStream().write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        byte[] ok = new byte[5];
        int n = s.getInputStream().read(ok);
        if (n < 3 || !new String(ok, 0, n, StandardCharsets.US_ASCII).startsWith("+OK")) {
          s.close();
          throw new IOException("AUTH refused");
        }
      }
      return s;
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  /**
   * Publishes raw bytes on a channel over a fresh socket, as a foreign writer would (for tests of
   * what a subscriber does with garbage), and waits for Redis's answer.
   */
  public void publishRaw(String channel, byte[] payload) throws IOException {
    requireNonNull(channel, "channel");
    requireNonNull(payload, "payload");
    try (Socket s = open(2000)) {
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

  /** Shows its address without the password. */
  @Override
  public String toString() {
    return "RedisServer["
        + (tls == null ? "redis://" : "rediss://")
        + (password == null ? "" : "***@")
        + "127.0.0.1:"
        + port
        + "]";
  }
}
