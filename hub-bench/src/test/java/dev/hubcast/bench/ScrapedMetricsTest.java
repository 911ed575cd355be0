package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@code server --metrics} and {@code metrics=on} add: a registry that is really scraped. */
@Timeout(30)
class ScrapedMetricsTest {

  @Test
  void theHubsMeters_areScrapedOnTheirOwnThread_untilClosed() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    try (ScrapedMetrics scraped = new ScrapedMetrics(20, hub)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> scraped.lastScrapeLength() > 1000);
      assertThat(Thread.getAllStackTraces().keySet())
          .anyMatch(t -> t.getName().equals("metrics-scraper") && t.isDaemon());
    } finally {
      hub.shutdown(Duration.ZERO);
    }
  }
}
