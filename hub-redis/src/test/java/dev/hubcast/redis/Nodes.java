package dev.hubcast.redis;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.jetty.JettyHubServer;
import dev.hubcast.netty.NettyHubServer;
import dev.hubcast.testkit.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Hub nodes on real transports, joined by a Redis backplane; closes all it made. */
final class Nodes implements AutoCloseable {
  enum Transport {
    JETTY,
    NETTY
  }

  /** One node: its hub, its backplane and how clients reach it. */
  record Node(Hub<String> hub, RedisBackplane backplane, TestServer server) {}

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final String redisUri;
  private final String prefix;

  Nodes(String redisUri, String prefix) {
    this.redisUri = redisUri;
    this.prefix = prefix;
  }

  /** Users are named by the {@code user} query parameter. */
  static HubConfig.Builder<String> withUsers(HubConfig.Builder<String> config) {
    return config.authenticator(
        h -> h.queryParam("user").map(AuthResult::user).orElse(AuthResult.anonymous()));
  }

  Node start(String nodeId, Transport transport, HubConfig.Builder<String> config)
      throws Exception {
    return start(nodeId, transport, config, UnaryOperator.identity());
  }

  /** A node whose backplane is built with {@code backplaneOptions} applied to its builder. */
  Node start(
      String nodeId,
      Transport transport,
      HubConfig.Builder<String> config,
      UnaryOperator<RedisBackplane.Builder> backplaneOptions)
      throws Exception {
    RedisBackplane backplane =
        backplaneOptions.apply(RedisBackplane.builder(redisUri).prefix(prefix)).build();
    Hub<String> hub = Hub.create(config.nodeId(nodeId).backplane(() -> backplane).build());
    resources.add(() -> hub.shutdown(Duration.ZERO).get(20, TimeUnit.SECONDS));
    int port;
    AutoCloseable server;
    if (transport == Transport.JETTY) {
      JettyHubServer s = JettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
      port = s.port();
      server = s;
    } else {
      NettyHubServer s = NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
      port = s.port();
      server = s;
    }
    TestServer ts = TestServer.webSocket(URI.create("ws://127.0.0.1:" + port + "/ws"), server);
    resources.add(ts);
    return new Node(hub, backplane, ts);
  }

  @Override
  public void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }
}
