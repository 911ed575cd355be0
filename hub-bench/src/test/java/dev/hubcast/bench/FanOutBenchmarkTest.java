package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.bench.jmh.NullConnection;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.BroadcastReceipt;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the fan-out benchmark measures is real: every recipient gets the one shared frame. */
class FanOutBenchmarkTest {

  @Test
  void broadcast_sharesOneFrameWithoutCopies() throws Exception {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.NONE).build());
    List<NullConnection> conns = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      conns.add(NullConnection.open(hub, i));
    }

    BroadcastReceipt r = hub.broadcast(Target.all(), "x".repeat(64));

    assertThat(r.queued()).isEqualTo(200);
    Message shared = conns.get(0).last();
    for (NullConnection c : conns) {
      assertThat(c.last()).isSameAs(shared);
      assertThat(c.bytes()).isEqualTo(64);
    }
    hub.shutdown(Duration.ZERO).get(5, TimeUnit.SECONDS);
    assertThat(MessageCodec.text().encode("a").length()).isEqualTo(1);
  }
}
