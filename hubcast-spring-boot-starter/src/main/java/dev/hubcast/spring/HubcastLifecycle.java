package dev.hubcast.spring;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts the hub down gracefully when the application context closes, before the web server stops:
 * new handshakes get 503, each connection closes with 1001 once its outbox has drained (at most the
 * drain timeout), then the installed endpoints close. Its phase is above the web server's
 * graceful-shutdown phase, so this runs while the server still serves the close handshakes.
 * Thread-safe: Spring calls it on the thread that closes the context; the shutdown completes on the
 * hub's threads.
 */
final class HubcastLifecycle implements SmartLifecycle {

  /** Stops before the web server's graceful shutdown ({@code GRACEFUL_SHUTDOWN_PHASE}) and stop. */
  static final int PHASE = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 512;

  private static final Logger log = LoggerFactory.getLogger(HubcastLifecycle.class);
  private static final Duration MARGIN = Duration.ofSeconds(2);

  private final Hub<?> hub;
  private final ObjectProvider<HubcastEndpointInstaller> installer;
  private volatile boolean running;

  HubcastLifecycle(Hub<?> hub, ObjectProvider<HubcastEndpointInstaller> installer) {
    this.hub = requireNonNull(hub, "hub");
    this.installer = requireNonNull(installer, "installer");
  }

  @Override
  public void start() {
    running = true;
  }

  /** {@link #stop(Runnable)}, waiting for it. */
  @Override
  public void stop() {
    CountDownLatch done = new CountDownLatch(1);
    stop(done::countDown);
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts the hub's shutdown and calls {@code callback} when it has completed, or at its bound:
   * the drain timeout, the close timeout and 2 s.
   */
  @Override
  public void stop(Runnable callback) {
    running = false;
    Duration bound = hub.config().drainTimeout().plus(hub.config().closeTimeout()).plus(MARGIN);
    hub.shutdown()
        .copy()
        .orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (ignored, error) -> {
              try {
                if (error != null) {
                  log.warn("Hub shutdown did not complete within {}: {}", bound, error.toString());
                }
                HubcastEndpointInstaller endpoints = installer.getIfAvailable();
                if (endpoints != null) {
                  endpoints.close();
                }
              } finally {
                callback.run();
              }
            });
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
