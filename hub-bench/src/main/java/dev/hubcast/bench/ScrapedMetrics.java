package dev.hubcast.bench;

import dev.hubcast.core.Hub;
import dev.hubcast.micrometer.HubcastMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A hub's meters in a Prometheus registry that is scraped every {@code period} milliseconds on a
 * thread of its own, as a Prometheus server would pull them: what {@code server --metrics} and
 * {@code FanOutBenchmark}'s {@code metrics=on} add, to measure what metrics cost.
 *
 * <p>Thread-safe: made and closed by one thread, scraped on its own.
 */
public final class ScrapedMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScheduledExecutorService scraper =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "metrics-scraper");
            t.setDaemon(true);
            return t;
          });
  private volatile int lastLength;

  /** Binds the hubs' meters and starts scraping them every {@code periodMillis}. */
  public ScrapedMetrics(long periodMillis, Hub<?>... hubs) {
    for (int i = 0; i < hubs.length; i++) {
      new HubcastMetrics(hubs[i], io.micrometer.core.instrument.Tags.of("hub", "h" + i))
          .bindTo(registry);
    }
    scraper.scheduleAtFixedRate(
        () -> lastLength = registry.scrape().length(),
        periodMillis,
        periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /** The length of the last scrape, in characters; 0 before the first. */
  public int lastScrapeLength() {
    return lastLength;
  }

  @Override
  public void close() {
    scraper.shutdownNow();
    registry.close();
  }
}
