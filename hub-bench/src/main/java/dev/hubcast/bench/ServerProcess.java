package dev.hubcast.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@code server} child process, spoken to on its standard input ({@code stats}, {@code gc}) and
 * read on its standard output ({@code READY}, {@code STATS {json}}) by a daemon thread.
 *
 * <p>Used by the sweep's thread; {@link #stats} is synchronized, one request at a time.
 */
final class ServerProcess implements AutoCloseable {
  final Process process;
  final int port;

  /** Where the load generator connects to it ({@code load --url}). */
  final String url;

  final String display;
  private final OutputStream in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  ServerProcess(Process process, int port, String url, String display) {
    this.process = process;
    this.port = port;
    this.url = url;
    this.display = display;
    this.in = process.getOutputStream();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    Thread reader =
        new Thread(
            () -> {
              try {
                String l;
                while ((l = out.readLine()) != null) {
                  lines.add(l);
                }
              } catch (IOException e) {
                // ended
              }
            },
            "server-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits up to 30 s for {@code READY}; closes the process and throws without it. */
  void awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && l.startsWith("READY")) {
        return;
      }
      if (l == null && !process.isAlive()) {
        int exit = process.exitValue();
        close();
        throw new IllegalStateException(
            "server on port " + port + " ended before it was ready (exit " + exit + ")");
      }
    }
    close();
    throw new IllegalStateException("server on port " + port + " did not start within 30 s");
  }

  /** The server's figures (after a full GC with {@code gc}), or null without an answer in 60 s. */
  synchronized ServerStats stats(boolean gc) throws Exception {
    lines.clear();
    in.write((gc ? "gc\n" : "stats\n").getBytes(StandardCharsets.US_ASCII));
    in.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(1, TimeUnit.SECONDS);
      if (l != null && l.startsWith("STATS ")) {
        return Json.read(l.substring(6), ServerStats.class);
      }
    }
    return null;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
