package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.SlowConsumerPolicy;
import dev.hubcast.core.Target;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The slow-consumer scenario of the {@link FlowControlContract}'s dropping policies: one client
 * stops reading while a reader keeps up. Stateless; for the test's thread.
 */
final class SlowConsumers {
  private static final int SIZE = 16 * 1024;
  private static final long LIMIT_BYTES = 512 * 1024;
  // Half the outbox limit: a reader that keeps up must never reach the limit itself, even when
  // the completions of the previous batch's last frames are still on their way when the next
  // batch starts (a reader can see bytes before the server's write completes). A batch the size
  // of the limit left no headroom and now and then dropped a reader's frames on a loaded machine.
  private static final int BATCH = 16;
  private static final int MAX_MESSAGES = 4000; // 64 MiB: past any socket buffers

  private SlowConsumers() {}

  private static String payload(int i) {
    String prefix = i + ":";
    return prefix + "x".repeat(SIZE - prefix.length());
  }

  private static int seq(String m) {
    return Integer.parseInt(m.substring(0, m.indexOf(':')));
  }

  /**
   * Broadcasts in batches, letting the readers catch up after each, until {@code done} holds;
   * checks all along that the slow client's outbox stays within its limit.
   */
  private static int broadcastUntil(
      KitFixture.Served s, String slowId, List<TestClient> readers, BooleanSupplier done) {
    int sent = 0;
    long maxPending = 0;
    while (!done.getAsBoolean()) {
      assertThat(sent).as("messages broadcast before the policy acted").isLessThan(MAX_MESSAGES);
      for (int i = 0; i < BATCH; i++) {
        s.hub().broadcast(Target.all(), payload(sent++));
        long pending = s.hub().client(slowId).map(Client::pendingBytes).orElse(0L);
        maxPending = Math.max(maxPending, pending);
      }
      for (TestClient r : readers) {
        List<String> got = r.awaitTexts(BATCH, WAIT);
        assertThat(seq(got.get(BATCH - 1))).isEqualTo(sent - 1);
      }
    }
    assertThat(maxPending).as("slow client's outbox bytes").isLessThanOrEqualTo(LIMIT_BYTES);
    return sent;
  }

  static void checkDropping(KitFixture kit, SlowConsumerPolicy policy) throws Exception {
    KitFixture.Served s =
        kit.serve(
            HubConfig.textBuilder()
                .policy(BroadcastPolicy.NONE)
                .outboxLimits(LIMIT_BYTES, 1000)
                .slowConsumerPolicy(policy));
    TestClient slow = s.connect("slow");
    TestClient reader = s.connect("reader");
    String slowId = s.id("slow");
    slow.pauseReading();

    int sent =
        broadcastUntil(s, slowId, List.of(reader), () -> s.hub().metrics().framesDropped() > 0);

    assertThat(s.hub().client(slowId)).isPresent();
    slow.resumeReading();
    // Let the backlog drain first: with the outbox full to the byte, DROP_NEWEST would rightly
    // drop "last" too.
    KitFixture.await("the slow client's outbox to drain")
        .until(() -> s.hub().client(slowId).map(Client::pendingFrames).orElse(0) == 0);
    s.hub().broadcast(Target.all(), "last");
    // The slow client now gets a subsequence of what was sent, in order, then "last".
    int previous = -1;
    int received = 0;
    while (true) {
      String m = slow.awaitText(WAIT);
      if (m.equals("last")) {
        break;
      }
      int n = seq(m);
      assertThat(n).isGreaterThan(previous).isLessThan(sent);
      previous = n;
      received++;
    }
    assertThat(received).isLessThan(sent);
    assertThat(reader.awaitText(WAIT)).isEqualTo("last");
  }
}
