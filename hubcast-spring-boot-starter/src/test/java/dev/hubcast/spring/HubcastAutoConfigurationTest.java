package dev.hubcast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.core.RateLimit;
import dev.hubcast.core.SlowConsumerPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletContextInitializer;

/** The auto-configuration's conditions and the properties' mapping, without a web server. */
class HubcastAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HubcastAutoConfiguration.class));

  @SuppressWarnings("unchecked")
  private static HubConfig<String> config(org.springframework.context.ApplicationContext c) {
    return ((Hub<String>) c.getBean(Hub.class)).config();
  }

  @Test
  void hub_unsetProperties_keepHubConfigDefaults() {
    HubConfig<String> defaults = HubConfig.textBuilder().build();
    runner.run(
        c -> {
          HubConfig<String> config = config(c);
          assertThat(config.policy()).isEqualTo(defaults.policy());
          assertThat(config.maxMessageBytes()).isEqualTo(defaults.maxMessageBytes());
          assertThat(config.maxConnections()).isEqualTo(defaults.maxConnections());
          assertThat(config.maxConnectionsPerAddress())
              .isEqualTo(defaults.maxConnectionsPerAddress());
          assertThat(config.maxOutboxBytes()).isEqualTo(defaults.maxOutboxBytes());
          assertThat(config.maxOutboxFrames()).isEqualTo(defaults.maxOutboxFrames());
          assertThat(config.slowConsumerPolicy()).isEqualTo(defaults.slowConsumerPolicy());
          assertThat(config.idleTimeout()).isEqualTo(defaults.idleTimeout());
          assertThat(config.handshakeTimeout()).isEqualTo(defaults.handshakeTimeout());
          assertThat(config.closeTimeout()).isEqualTo(defaults.closeTimeout());
          assertThat(config.drainTimeout()).isEqualTo(defaults.drainTimeout());
          assertThat(config.historySize()).isEqualTo(defaults.historySize());
          assertThat(config.maxHistoryAge()).isEqualTo(defaults.maxHistoryAge());
          assertThat(config.replayLimit()).isEqualTo(defaults.replayLimit());
          assertThat(config.maxRooms()).isEqualTo(defaults.maxRooms());
          assertThat(config.rateLimit()).isEmpty();
          assertThat(config.subprotocols()).isEmpty();
          assertThat(config.originPolicy()).isSameAs(OriginPolicy.sameOrigin());
          assertThat(c).hasSingleBean(HubcastLifecycle.class);
        });
  }

  @Test
  void hub_everyProperty_reachesTheConfig() {
    runner
        .withPropertyValues(
            "hubcast.policy=NONE",
            "hubcast.node-id=node_1",
            "hubcast.subprotocols=chat.v2,chat.v1",
            "hubcast.allowed-origins=https://a.example,https://b.example:8443",
            "hubcast.max-message-bytes=2048",
            "hubcast.max-connections=10",
            "hubcast.max-connections-per-address=2",
            "hubcast.max-outbox-bytes=4096",
            "hubcast.max-outbox-frames=40",
            "hubcast.slow-consumer-policy=DROP_OLDEST",
            "hubcast.idle-timeout=30s",
            "hubcast.handshake-timeout=3s",
            "hubcast.close-timeout=2s",
            "hubcast.drain-timeout=1s",
            "hubcast.history-size=100",
            "hubcast.max-history-age=10m",
            "hubcast.replay-limit=30",
            "hubcast.max-rooms=7",
            "hubcast.rate-limit.messages-per-second=20",
            "hubcast.rate-limit.burst=40")
        .run(
            c -> {
              HubConfig<String> config = config(c);
              assertThat(config.policy()).isEqualTo(BroadcastPolicy.NONE);
              assertThat(config.nodeId()).isEqualTo("node_1");
              assertThat(config.subprotocols()).containsExactly("chat.v2", "chat.v1");
              assertThat(config.originPolicy().toString())
                  .isEqualTo("OriginPolicy.allow[https://a.example, https://b.example:8443]");
              assertThat(config.maxMessageBytes()).isEqualTo(2048);
              assertThat(config.maxConnections()).isEqualTo(10);
              assertThat(config.maxConnectionsPerAddress()).isEqualTo(2);
              assertThat(config.maxOutboxBytes()).isEqualTo(4096);
              assertThat(config.maxOutboxFrames()).isEqualTo(40);
              assertThat(config.slowConsumerPolicy()).isEqualTo(SlowConsumerPolicy.DROP_OLDEST);
              assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
              assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
              assertThat(config.closeTimeout()).isEqualTo(Duration.ofSeconds(2));
              assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(1));
              assertThat(config.historySize()).isEqualTo(100);
              assertThat(config.maxHistoryAge()).isEqualTo(Duration.ofMinutes(10));
              assertThat(config.replayLimit()).isEqualTo(30);
              assertThat(config.maxRooms()).isEqualTo(7);
              assertThat(config.rateLimit()).contains(RateLimit.of(20, 40));
            });
  }

  @Test
  void hub_oneOutboxLimit_keepsTheOthersDefault() {
    runner
        .withPropertyValues("hubcast.max-outbox-frames=4000")
        .run(
            c -> {
              assertThat(config(c).maxOutboxFrames()).isEqualTo(4000);
              assertThat(config(c).maxOutboxBytes()).isEqualTo(HubConfig.DEFAULT_MAX_OUTBOX_BYTES);
            });
  }

  @Test
  void hub_outOfRangeValue_failsNamingIt() {
    runner
        .withPropertyValues("hubcast.max-message-bytes=0")
        .run(
            c ->
                assertThat(c)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("maxMessageBytes: 0 (expected: > 0)"));
  }

  @Test
  void hub_rateLimitWithoutBurst_fails() {
    runner
        .withPropertyValues("hubcast.rate-limit.messages-per-second=5")
        .run(
            c -> assertThat(c).getFailure().rootCause().hasMessageContaining("hubcast.rate-limit"));
  }

  @Test
  void hub_allowedOriginsAndOriginPolicyBean_fails() {
    runner
        .withPropertyValues("hubcast.allowed-origins=https://a.example")
        .withBean(OriginPolicy.class, OriginPolicy::any)
        .run(
            c ->
                assertThat(c)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("hubcast.allowed-origins"));
  }

  @Test
  void hub_policyAndHandlerBean_fails() {
    runner
        .withPropertyValues("hubcast.policy=NONE")
        .withBean(
            "handler",
            dev.hubcast.core.HubHandler.class,
            () -> new dev.hubcast.core.HubHandler<String>() {})
        .run(c -> assertThat(c).getFailure().rootCause().hasMessageContaining("policy"));
  }

  @Test
  void appHub_backsOff() {
    Hub<String> mine = Hub.create(HubConfig.textBuilder().build());
    runner
        .withBean("mine", Hub.class, () -> mine)
        .run(
            c -> {
              assertThat(c).hasSingleBean(Hub.class);
              assertThat(c.getBean(Hub.class)).isSameAs(mine);
              assertThat(c).hasSingleBean(HubcastLifecycle.class);
            });
    assertThat(mine.isShutdown()).isTrue();
  }

  @Test
  void disabled_makesNothing() {
    runner
        .withPropertyValues("hubcast.enabled=false")
        .run(
            c -> {
              assertThat(c).doesNotHaveBean(Hub.class);
              assertThat(c).doesNotHaveBean(HubcastLifecycle.class);
              assertThat(c).doesNotHaveBean(HubcastProperties.class);
            });
  }

  @Test
  void notWeb_installsNothing() {
    runner.run(
        c -> {
          assertThat(c).hasSingleBean(Hub.class);
          assertThat(c).doesNotHaveBean(HubcastEndpointInstaller.class);
          assertThat(c).doesNotHaveBean(ServletContextInitializer.class);
        });
  }

  @Test
  void servletWeb_registersTheInitializer() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HubcastAutoConfiguration.class))
        .run(
            c -> {
              assertThat(c).hasSingleBean(HubcastEndpointInstaller.class);
              assertThat(c.getBeansOfType(ServletContextInitializer.class)).hasSize(1);
            });
  }

  @Test
  void metrics_withoutRegistry_bindsNothing_andDoesNotFail() {
    runner.run(
        c -> {
          assertThat(c).hasNotFailed();
          assertThat(c).hasSingleBean(HubcastMetricsBinding.class);
        });
  }

  @Test
  void metadata_listsEveryProperty() throws Exception {
    String json;
    try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    for (String name :
        List.of(
            "hubcast.enabled",
            "hubcast.path",
            "hubcast.policy",
            "hubcast.node-id",
            "hubcast.subprotocols",
            "hubcast.allowed-origins",
            "hubcast.max-message-bytes",
            "hubcast.max-connections",
            "hubcast.max-connections-per-address",
            "hubcast.max-outbox-bytes",
            "hubcast.max-outbox-frames",
            "hubcast.slow-consumer-policy",
            "hubcast.idle-timeout",
            "hubcast.handshake-timeout",
            "hubcast.close-timeout",
            "hubcast.drain-timeout",
            "hubcast.history-size",
            "hubcast.max-history-age",
            "hubcast.replay-limit",
            "hubcast.max-rooms",
            "hubcast.rate-limit.messages-per-second",
            "hubcast.rate-limit.burst")) {
      assertThat(json).contains("\"name\": \"" + name + "\"");
    }
  }
}
