package dev.hubcast.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.Replay;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the resume benchmark measures is real: from this node's memory, from the in-memory store and
 * from Redis (a real {@code redis-server}), each operation is a recovered resume of exactly the
 * last {@code missed} broadcasts, and it can be repeated.
 */
class ResumeBenchmarkTest {

  @ParameterizedTest
  @ValueSource(strings = {"here", "store", "redis"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void resume_recoversTheMissedBroadcasts_everyTime(String from) throws Exception {
    ResumeBenchmark benchmark = new ResumeBenchmark();
    benchmark.from = from;
    benchmark.missed = 100;
    benchmark.setUp();
    try {
      for (int i = 0; i < 3; i++) {
        Replay replay = benchmark.resume().orElseThrow();

        assertThat(replay.recovered()).isTrue();
        assertThat(replay.entries()).hasSize(100);
        assertThat(replay.entries().get(0).sequence()).isEqualTo(901);
        assertThat(replay.entries().get(99).sequence()).isEqualTo(1000);
      }
    } finally {
      benchmark.tearDown();
    }
  }
}
