package dev.hubcast.bench.jmh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} child process on a free loopback port, saving nothing, for a benchmark's
 * trial: started in its setup, stopped in its teardown (or when the JVM exits). The executable is
 * {@code redis-server} on the {@code PATH}, or the system property {@code hubcast.redisServer}.
 * Confined to the JMH thread that sets up and tears down.
 */
final class RedisProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Thread killer;

  private RedisProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    this.killer = new Thread(process::destroyForcibly, "redis-process-stop");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /** Starts one and waits (up to 10 s) until it accepts connections. */
  static RedisProcess start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String executable = System.getProperty("hubcast.redisServer", "redis-server");
    Process p =
        new ProcessBuilder(
                executable,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    RedisProcess redis = new RedisProcess(p, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        redis.close();
        throw new IOException(executable + " ended at once (exit " + p.exitValue() + ")");
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return redis;
      } catch (IOException e) {
        Thread.sleep(20); // polling a child process that has not bound its port yet
      }
    }
    redis.close();
    throw new IOException(executable + " did not listen on port " + port + " within 10 s");
  }

  /** {@code redis://127.0.0.1:PORT}. */
  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // the JVM is already exiting: the hook runs anyway
    }
  }
}
