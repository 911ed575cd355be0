package dev.hubcast.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real {@code redis-server} process on a free loopback port, for tests: started, killed and
 * restarted on the same port. Not thread-safe; one test drives it.
 */
final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  static RedisServer start() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RedisServer server = new RedisServer(port, Files.createTempDirectory("hubcast-redis"));
    server.startProcess();
    return server;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  void startProcess() throws IOException {
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
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!ping()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IOException(
            "redis-server did not start on port "
                + port
                + ": "
                + Files.readString(dir.resolve("redis.log")));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Kills the process at once (no shutdown, no goodbye to clients). */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
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

  /** Publishes raw bytes on a channel, as a foreign writer would (for bad-envelope tests). */
  void publishRaw(String channel, byte[] payload) throws IOException {
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

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      kill();
    }
  }
}
