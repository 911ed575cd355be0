package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.backplane.Backplane;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HubConfigTest {

  @Test
  void defaults_areTheDocumentedSafeOnes() {
    HubConfig<String> c = HubConfig.textBuilder().build();

    assertThat(c.maxMessageBytes()).isEqualTo(64 * 1024);
    assertThat(c.maxOutboxBytes()).isEqualTo(1024 * 1024);
    assertThat(c.maxOutboxFrames()).isEqualTo(1000);
    assertThat(c.slowConsumerPolicy()).isEqualTo(SlowConsumerPolicy.DISCONNECT);
    assertThat(c.policy()).isEqualTo(BroadcastPolicy.ALL);
    assertThat(c.handler()).isEmpty();
    assertThat(c.handlerExecutor()).isEmpty();
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.maxConnections()).isEqualTo(50_000);
    assertThat(c.maxConnectionsPerAddress()).isEqualTo(Integer.MAX_VALUE);
    assertThat(c.historySize()).isZero();
    assertThat(c.backplane().get()).isSameAs(Backplane.local());
    assertThat(c.originPolicy()).isSameAs(OriginPolicy.sameOrigin());
    assertThat(c.nodeId()).matches("[0-9a-z]{8}");
  }

  @Test
  void setters_validateAtOnceNamingTheValue() {
    HubConfig.Builder<String> b = HubConfig.textBuilder();

    assertThatThrownBy(() -> b.maxMessageBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMessageBytes: -1 (expected: > 0)");
    assertThatThrownBy(() -> b.outboxLimits(0, 10)).hasMessage("maxOutboxBytes: 0 (expected: > 0)");
    assertThatThrownBy(() -> b.outboxLimits(10, 0))
        .hasMessage("maxOutboxFrames: 0 (expected: > 0)");
    assertThatThrownBy(() -> b.maxConnections(0)).hasMessageContaining("maxConnections: 0");
    assertThatThrownBy(() -> b.historySize(-3)).hasMessageContaining("historySize: -3");
    assertThatThrownBy(() -> b.idleTimeout(Duration.ZERO))
        .hasMessageContaining("idleTimeout: PT0S");
    assertThatThrownBy(() -> b.drainTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("drainTimeout: PT-1S");
    assertThatThrownBy(() -> b.nodeId("has space")).hasMessageContaining("nodeId: \"has space\"");
    assertThatThrownBy(() -> b.policy(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void toString_showsOnlyWhatDiffersFromDefaults() {
    String s =
        HubConfig.textBuilder()
            .nodeId("n1")
            .maxMessageBytes(1024)
            .historySize(10)
            .build()
            .toString();

    assertThat(s)
        .contains(
            "codec=MessageCodec.text()", "nodeId=n1", "maxMessageBytes=1024", "historySize=10")
        .doesNotContain("maxOutboxBytes", "idleTimeout", "policy");
  }

  @Test
  void toBuilder_keepsEveryValue() {
    HubConfig<String> c =
        HubConfig.textBuilder()
            .nodeId("n2")
            .policy(BroadcastPolicy.ALL_EXCEPT_SENDER)
            .outboxLimits(2048, 7)
            .slowConsumerPolicy(SlowConsumerPolicy.DROP_OLDEST)
            .historySize(5)
            .maxRooms(9)
            .maxConnectionsPerAddress(3)
            .build();

    HubConfig<String> copy = c.toBuilder().build();

    assertThat(copy.toString()).isEqualTo(c.toString());
  }
}
