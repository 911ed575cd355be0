package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.bench.jmh.PresenceBenchmark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the presence benchmark measures is real: each join and leave reaches a member as diffs. */
@Timeout(60)
class PresenceBenchmarkTest {

  @Test
  void aJoinAndALeave_areTwoDiffsToEveryMember() throws Exception {
    PresenceBenchmark b = new PresenceBenchmark();
    b.members = 100;
    b.setUp();
    try {
      long first = b.joinAndLeave();
      long third = 0;
      for (int i = 0; i < 2; i++) {
        third = b.joinAndLeave();
      }
      assertThat(first).isEqualTo(3); // the snapshot, then +1 and -1
      assertThat(third).isEqualTo(7);
      assertThat(b.hubPresenceCount()).isEqualTo(100);
    } finally {
      b.tearDown();
    }
  }
}
