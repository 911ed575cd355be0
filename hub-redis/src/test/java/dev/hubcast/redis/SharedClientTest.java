package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.redis.Nodes.Node;
import dev.hubcast.redis.Nodes.Transport;
import dev.hubcast.testkit.RedisServer;
import dev.hubcast.testkit.TestClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One Lettuce client from {@link RedisBackplane#newClient}, shared by two backplanes and by the
 * application, against a real redis-server.
 */
@Timeout(60)
class SharedClientTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void client_sharedByTwoNodes_carriesTheirBroadcasts_andOutlivesTheirBackplanes()
      throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisClient client = RedisBackplane.newClient(redis.uri());
      try {
        StatefulRedisConnection<String, String> applications = client.connect();
        try (Nodes nodes = new Nodes(redis.uri(), "shared")) {
          HubConfig.Builder<String> none = HubConfig.textBuilder().policy(BroadcastPolicy.NONE);
          Node jetty = nodes.start("j", Transport.JETTY, none, b -> b.client(client));
          Node netty = nodes.start("n", Transport.NETTY, none, b -> b.client(client));
          TestClient onJetty = jetty.server().connect("", Map.of());
          TestClient onNetty = netty.server().connect("", Map.of());
          await().atMost(WAIT).until(() -> jetty.hub().clients().size() == 1);
          await().atMost(WAIT).until(() -> netty.hub().clients().size() == 1);
          String onJettyId = jetty.hub().clients().iterator().next().id();
          String onNettyId = netty.hub().clients().iterator().next().id();
          jetty.hub().join(onJettyId, "red");
          netty.hub().join(onNettyId, "red");

          jetty.hub().broadcast(Target.all(), "from jetty");
          assertThat(onNetty.awaitText(WAIT)).isEqualTo("from jetty");
          assertThat(onJetty.awaitText(WAIT)).isEqualTo("from jetty");
          netty.hub().broadcastSequenced(Target.room("red"), at -> "red#" + at.seq());
          jetty.hub().broadcastSequenced(Target.room("red"), at -> "red#" + at.seq());

          assertThat(onNetty.awaitTexts(2, WAIT)).containsExactly("red#1", "red#2");
          assertThat(onJetty.awaitTexts(2, WAIT)).containsExactly("red#1", "red#2");
        } // both hubs shut down, closing their backplanes
        assertThat(applications.isOpen()).isTrue();
        assertThat(applications.sync().hget("shared:position:red", "seq")).isEqualTo("2");
        try (StatefulRedisConnection<String, String> later = client.connect()) {
          assertThat(later.sync().ping()).isEqualTo("PONG");
        }
      } finally {
        client.shutdown();
      }
      assertThat(client.getResources().eventExecutorGroup().isTerminated())
          .as("the client's shutdown ends its own threads")
          .isTrue();
    }
  }

  @Test
  void newClient_whileRedisIsDown_failsAtOnce_andReconnectsWhenItIsBack() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisClient client = RedisBackplane.newClient(redis.uri(), Duration.ofSeconds(5));
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        assertThat(c.sync().ping()).isEqualTo("PONG");

        redis.kill();
        await().atMost(WAIT).until(() -> !c.isOpen());
        long start = System.nanoTime();
        CompletableFuture<String> ping = c.async().ping().toCompletableFuture();
        await().atMost(WAIT).until(ping::isDone);
        assertThat(ping).isCompletedExceptionally();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("rejected at once, not after the 5 s timeout")
            .isLessThan(Duration.ofSeconds(2));

        redis.restart();
        await()
            .atMost(Duration.ofSeconds(5))
            .ignoreExceptions()
            .until(() -> "PONG".equals(c.async().ping().get(1, TimeUnit.SECONDS)));
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void builder_clientAndCommandTimeout_areRefusedTogether() {
    RedisClient client = RedisBackplane.newClient("redis://127.0.0.1:1");
    try {
      assertThatThrownBy(
              () ->
                  RedisBackplane.builder("redis://127.0.0.1:1")
                      .client(client)
                      .commandTimeout(Duration.ofSeconds(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("commandTimeout:");
      assertThatThrownBy(
              () ->
                  RedisBackplane.builder("redis://127.0.0.1:1")
                      .commandTimeout(Duration.ofSeconds(1))
                      .client(client))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("client:")
          .hasMessageContaining("PT1S");
    } finally {
      client.shutdown();
    }
    assertThatThrownBy(() -> RedisBackplane.newClient("redis://127.0.0.1:1", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commandTimeout: PT0S (expected: > 0)");
  }
}
