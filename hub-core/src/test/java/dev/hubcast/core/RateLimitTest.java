package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RateLimitTest {

  @Test
  void rateLimit_validatesItsValues() {
    assertThatThrownBy(() -> RateLimit.of(0, 1)).hasMessageContaining("messagesPerSecond: 0.0");
    assertThatThrownBy(() -> RateLimit.of(1, 0)).hasMessageContaining("burst: 0");
    assertThat(HubConfig.textBuilder().build().rateLimit()).isEmpty();
  }

  @Test
  void pastTheBurst_closes1008_othersUnaffected() throws Exception {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .policy(BroadcastPolicy.ALL)
                .rateLimit(RateLimit.of(0.001, 3))
                .build());
    FakeConnection flooder = FakeConnection.open(hub, "127.0.0.1", "");
    FakeConnection calm = FakeConnection.open(hub, "127.0.0.1", "");

    for (int i = 0; i < 4; i++) {
      flooder.inbound().onMessage(Message.text("f" + i));
    }
    calm.inbound().onMessage(Message.text("calm"));

    assertThat(flooder.closeCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
    assertThat(flooder.closeReason()).isEqualTo("rate limit exceeded");
    assertThat(calm.texts()).containsExactly("f0", "f1", "f2", "calm");
    assertThat(hub.metrics().rateLimited()).isEqualTo(1);
    hub.shutdown(Duration.ZERO).get(5, TimeUnit.SECONDS);
  }

  @Test
  void handler_mayAnswerAndKeepTheConnection_andTheBucketRefills() throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    AtomicInteger limited = new AtomicInteger();
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .rateLimit(RateLimit.of(50, 2))
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onMessage(Hub<String> h, Client c, String m) {
                        got.add(m);
                      }

                      @Override
                      public void onRateLimited(Hub<String> h, Client c) {
                        limited.incrementAndGet();
                        h.send(c.id(), "slow down");
                      }
                    })
                .build());
    FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");

    a.inbound().onMessage(Message.text("1"));
    a.inbound().onMessage(Message.text("2"));
    a.inbound().onMessage(Message.text("3"));

    assertThat(got).containsExactly("1", "2");
    assertThat(a.texts()).containsExactly("slow down");
    assertThat(a.isOpen()).isTrue();
    // At 50 a second a token is back within tens of milliseconds.
    await("a refilled token")
        .pollInSameThread()
        .until(
            () -> {
              a.inbound().onMessage(Message.text("later"));
              return got.contains("later");
            });
    assertThat(limited.get()).isGreaterThanOrEqualTo(1);
    hub.shutdown(Duration.ZERO).get(5, TimeUnit.SECONDS);
  }
}
