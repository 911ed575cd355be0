package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a chat server alive in the {@link RedisChatDirectory} and puts its connections back after
 * an outage: every {@value #INTERVAL_MILLIS} ms it runs the directory's beat (which renews the
 * server's liveness key, forgets dead servers and announces what changed), and when Redis lost this
 * server's entries (an update failed, the subscription was lost, or the liveness key was gone) it
 * runs the directory's rewrite instead, on the next beat.
 *
 * <p>Thread-safe. The beats run on one thread of their own; {@link #failed} and {@link
 * #rewriteSoon} may be called from any thread.
 */
final class Heartbeat implements AutoCloseable {

  // The directory's logger: one name to tune for everything the directory says.
  private static final Logger log = LoggerFactory.getLogger(RedisChatDirectory.class);

  /** How often the server renews its liveness key. */
  static final long INTERVAL_MILLIS = 1000;

  private final String nodeId;
  private final String where;
  private final Supplier<CompletionStage<Long>> beat;
  private final Supplier<CompletionStage<Integer>> rewrite;
  private final AtomicBoolean rewriteNeeded = new AtomicBoolean();
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ScheduledExecutorService executor;

  /**
   * @param nodeId this server, for the logs and the thread's name
   * @param where the Redis, for the logs
   * @param beat runs the beat script; completes with 0 if the liveness key had expired
   * @param rewrite writes all this server's connections again; completes with how many
   */
  Heartbeat(
      String nodeId,
      String where,
      Supplier<CompletionStage<Long>> beat,
      Supplier<CompletionStage<Integer>> rewrite) {
    this.nodeId = requireNonNull(nodeId, "nodeId");
    this.where = requireNonNull(where, "where");
    this.beat = requireNonNull(beat, "beat");
    this.rewrite = requireNonNull(rewrite, "rewrite");
  }

  /** Starts beating, the first beat one interval from now. */
  void start() {
    ScheduledExecutorService e =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "chat-directory-" + nodeId);
              t.setDaemon(true);
              return t;
            });
    executor = e;
    e.scheduleWithFixedDelay(this::beat, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Redis may have missed what was announced: write everything again, now. */
  void rewriteSoon() {
    rewriteNeeded.set(true);
    submitBeat();
  }

  /** Notes a failed update: logged once per outage; everything is written again once it ends. */
  void failed(Throwable failure) {
    if (closed.get()) {
      return;
    }
    rewriteNeeded.set(true);
    if (down.compareAndSet(false, true)) {
      log.warn(
          "node {}: chat directory: redis {} unreachable; presence, rooms and private messages"
              + " reach this server only until it is back: {}",
          nodeId,
          where,
          failure.toString());
    }
  }

  /** Keeps this server alive in Redis and sweeps dead ones; rewrites its connections if needed. */
  private void beat() {
    if (closed.get()) {
      return;
    }
    try {
      if (rewriteNeeded.getAndSet(false)) {
        rewrite();
      } else {
        refresh();
      }
    } catch (RuntimeException e) { // never let the heartbeat stop
      failed(e);
    }
  }

  private void refresh() {
    beat.get()
        .whenComplete(
            (existed, failure) -> {
              if (failure != null) {
                failed(failure);
              } else if (existed == 0L) {
                // Redis forgot this server (a restart, or a pause past the TTL): write it again.
                rewriteSoon();
              }
            });
  }

  private void rewrite() {
    rewrite
        .get()
        .whenComplete(
            (connections, failure) -> {
              if (failure != null) {
                failed(failure);
              } else {
                down.set(false);
                log.info(
                    "node {}: chat directory: its {} connections written again to redis {}",
                    nodeId,
                    connections,
                    where);
              }
            });
  }

  private void submitBeat() {
    ScheduledExecutorService e = executor;
    if (e != null && !closed.get()) {
      try {
        e.execute(this::beat);
      } catch (RuntimeException rejected) {
        // closing
      }
    }
  }

  /** Stops beating. */
  @Override
  public void close() {
    closed.set(true);
    ScheduledExecutorService e = executor;
    if (e != null) {
      e.shutdownNow();
    }
  }
}
