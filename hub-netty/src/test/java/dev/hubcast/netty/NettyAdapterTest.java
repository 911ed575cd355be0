package dev.hubcast.netty;

import static dev.hubcast.testkit.RawWebSocket.closePayload;
import static dev.hubcast.testkit.RawWebSocket.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.core.Target;
import dev.hubcast.testkit.HandshakeRefusedException;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.RawWebSocket;
import dev.hubcast.testkit.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Netty adapter's own behaviour on the wire, with real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyAdapterTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Map<String, List<Integer>> closes = new ConcurrentHashMap<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private Hub<String> hub(HubConfig.Builder<String> config) {
    Hub<String> hub = Hub.create(config.drainTimeout(Duration.ZERO).build());
    resources.add(() -> hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS));
    return hub;
  }

  private HubConfig.Builder<String> echoing() {
    return HubConfig.textBuilder()
        .handler(
            new HubHandler<>() {
              @Override
              public void onMessage(Hub<String> hub, Client client, String message) {
                if (message.equals("boom")) {
                  throw new IllegalStateException("handler failure (expected by test)");
                }
                hub.send(client.id(), message);
              }

              @Override
              public void onClose(Hub<String> hub, Client client, int code, String reason) {
                closes.computeIfAbsent(client.id(), k -> new ArrayList<>()).add(code);
              }
            });
  }

  private NettyHubServer serve(Hub<String> hub) throws Exception {
    NettyHubServer server =
        NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
    resources.add(server);
    return server;
  }

  private RawWebSocket raw(NettyHubServer server) throws Exception {
    RawWebSocket c = RawWebSocket.upgrade(server.port(), "/ws");
    resources.add(c);
    assertThat(c.response().status()).isEqualTo(101);
    return c;
  }

  @Test
  void upgrade_answersAcceptKey_andEchoes() throws Exception {
    Hub<String> hub = hub(echoing());
    RawWebSocket c = raw(serve(hub));

    assertThat(c.response().head()).contains(RawWebSocket.SAMPLE_ACCEPT);
    c.send(frame(true, 0x1, "hi".getBytes(StandardCharsets.UTF_8)));

    assertThat(c.read().text()).isEqualTo("hi");
  }

  @Test
  void theSwitchingProtocolsAnswer_leavesOnceTheHubHasOpenedTheConnection() throws Exception {
    CountDownLatch clientUpgraded = new CountDownLatch(1);
    AtomicReference<Boolean> upgradedDuringOpen = new AtomicReference<>();
    Hub<String> hub =
        hub(
            HubConfig.textBuilder()
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onOpen(Hub<String> hub, Client client) {
                        try {
                          // Had the 101 left already, the client would count down within this.
                          upgradedDuringOpen.set(clientUpgraded.await(1, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      }
                    }));
    NettyHubServer server = serve(hub);

    try (TestClient c =
        JdkWebSocketClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws"))) {
      clientUpgraded.countDown();
      assertThat(upgradedDuringOpen.get()).isFalse();
      hub.broadcast(Target.all(), "reachable");
      assertThat(c.awaitText(WAIT)).isEqualTo("reachable");
    }
  }

  @Test
  void framesRightBehindTheRequest_areRead() throws Exception {
    Hub<String> hub = hub(echoing());
    NettyHubServer server = serve(hub);
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    frames.write(frame(true, 0x1, "one".getBytes(StandardCharsets.UTF_8)));
    frames.write(frame(true, 0x1, "two".getBytes(StandardCharsets.UTF_8)));

    RawWebSocket c =
        RawWebSocket.open(server.port(), RawWebSocket.upgradeRequest("/ws"), frames.toByteArray());
    resources.add(c);

    assertThat(c.response().status()).isEqualTo(101);
    assertThat(c.read().text()).isEqualTo("one");
    assertThat(c.read().text()).isEqualTo("two");
  }

  @Test
  void fragmentedMessage_isJoined() throws Exception {
    Hub<String> hub = hub(echoing());
    RawWebSocket c = raw(serve(hub));

    c.send(frame(false, 0x1, "hel".getBytes(StandardCharsets.UTF_8)));
    c.send(frame(true, 0x9, new byte[] {7})); // a ping between fragments
    c.send(frame(true, 0x0, "lo".getBytes(StandardCharsets.UTF_8)));

    RawWebSocket.ServerFrame pong = c.read();
    assertThat(pong.opcode()).isEqualTo(0xA);
    assertThat(pong.payload()).containsExactly(7);
    assertThat(c.read().text()).isEqualTo("hello");
  }

  @Test
  void invalidUtf8_closes1007() throws Exception {
    Hub<String> hub = hub(echoing());
    RawWebSocket c = raw(serve(hub));

    c.send(frame(true, 0x1, new byte[] {'a', (byte) 0xC3, (byte) 0x28}));

    assertThat(c.readClose().closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    assertThat(c.awaitEof(WAIT)).isTrue();
    await("the connection to leave the hub").atMost(WAIT).until(() -> hub.clients().isEmpty());
  }

  @Test
  void unmaskedClientFrame_closes1002() throws Exception {
    Hub<String> hub = hub(echoing());
    RawWebSocket c = raw(serve(hub));

    c.send(frame(true, 0x1, "x".getBytes(StandardCharsets.UTF_8), false));

    assertThat(c.readClose().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
  }

  @Test
  void invalidCloseCode_closes1002() throws Exception {
    Hub<String> hub = hub(echoing());
    RawWebSocket c = raw(serve(hub));

    c.send(frame(true, 0x8, closePayload(1005, "")));

    assertThat(c.readClose().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
  }

  @Test
  void fragmentsOverTheLimit_close1009() throws Exception {
    Hub<String> hub = hub(echoing().maxMessageBytes(1000));
    RawWebSocket c = raw(serve(hub));

    c.send(frame(false, 0x1, "a".repeat(600).getBytes(StandardCharsets.UTF_8)));
    c.send(frame(true, 0x0, "b".repeat(600).getBytes(StandardCharsets.UTF_8)));

    assertThat(c.readClose().closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
  }

  @Test
  void clientClose_isEchoed_andReportedOnce() throws Exception {
    Hub<String> hub = hub(echoing());
    RawWebSocket c = raw(serve(hub));
    await("registration").atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();

    c.send(frame(true, 0x8, closePayload(4001, "done")));

    RawWebSocket.ServerFrame answer = c.readClose();
    assertThat(answer.closeCode()).isEqualTo(4001);
    assertThat(c.awaitEof(WAIT)).isTrue();
    await("onClose").atMost(WAIT).until(() -> closes.containsKey(id));
    assertThat(closes.get(id)).containsExactly(4001);
    assertThat(hub.clients()).isEmpty();
  }

  @Test
  void handlerThrows_closes1011_othersGoOn() throws Exception {
    Hub<String> hub = hub(echoing());
    NettyHubServer server = serve(hub);
    RawWebSocket bad = raw(server);
    RawWebSocket good = raw(server);

    bad.send(frame(true, 0x1, "boom".getBytes(StandardCharsets.UTF_8)));
    good.send(frame(true, 0x1, "fine".getBytes(StandardCharsets.UTF_8)));

    assertThat(bad.readClose().closeCode()).isEqualTo(CloseCodes.INTERNAL_ERROR);
    assertThat(good.read().text()).isEqualTo("fine");
  }

  @Test
  void refusals_areHttpStatusesBeforeTheUpgrade() throws Exception {
    Hub<String> hub =
        hub(
            HubConfig.textBuilder()
                .originPolicy(OriginPolicy.allow("https://chat.example.com"))
                .authenticator(
                    h ->
                        h.queryParam("token").orElse("").equals("good")
                            ? AuthResult.user("ada")
                            : AuthResult.unauthorized("token required")));
    NettyHubServer server = serve(hub);
    URI base = URI.create("ws://127.0.0.1:" + server.port() + "/ws");

    assertThatThrownBy(() -> JdkWebSocketClient.connect(base))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(401));
    assertThatThrownBy(
            () ->
                JdkWebSocketClient.connect(
                    URI.create(base + "?token=good"), Map.of("Origin", "https://evil.example")))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(403));
    TestClient ok =
        JdkWebSocketClient.connect(
            URI.create(base + "?token=good"), Map.of("Origin", "https://chat.example.com"));
    resources.add(ok);
    await("registration").atMost(WAIT).until(() -> hub.clients().size() == 1);
    assertThat(hub.clients().iterator().next().user()).contains("ada");
  }

  @Test
  void plainGetOnTheWebSocketPath_is426_otherPaths_areStaticOr404() throws Exception {
    NettyHubServer server = serve(hub(HubConfig.textBuilder()));
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.port();

    HttpResponse<String> ws =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/ws")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> missing =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/nope.js")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> climbing =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/%2e%2e/simplelogger.properties")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(ws.statusCode()).isEqualTo(426);
    assertThat(page.statusCode()).isEqualTo(404); // static files: examples' StaticFiles
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(climbing.statusCode()).isEqualTo(404);
  }

  @Test
  void silentTcpConnection_isDroppedAtTheHandshakeTimeout() throws Exception {
    NettyHubServer server =
        serve(hub(HubConfig.textBuilder().handshakeTimeout(Duration.ofMillis(300))));
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();

      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void idleConnection_isPinged_thenClosed1001() throws Exception {
    Hub<String> hub = hub(echoing().idleTimeout(Duration.ofMillis(600)));
    RawWebSocket c = raw(serve(hub));

    RawWebSocket.ServerFrame ping = c.read();
    RawWebSocket.ServerFrame close = c.read();

    assertThat(ping.opcode()).isEqualTo(0x9);
    assertThat(close.opcode()).isEqualTo(0x8);
    assertThat(close.closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
  }

  @Test
  void pongs_keepAConnectionAlive() throws Exception {
    Hub<String> hub = hub(echoing().idleTimeout(Duration.ofMillis(600)));
    RawWebSocket c = raw(serve(hub));

    for (int i = 0; i < 4; i++) {
      RawWebSocket.ServerFrame ping = c.read();
      assertThat(ping.opcode()).isEqualTo(0x9);
      c.send(frame(true, 0xA, ping.payload()));
    }
    c.send(frame(true, 0x1, "still here".getBytes(StandardCharsets.UTF_8)));

    RawWebSocket.ServerFrame next = c.read();
    while (next.opcode() == 0x9) {
      next = c.read();
    }
    assertThat(next.text()).isEqualTo("still here");
  }

  @Test
  void sendsAfterClose_failOnce_andCloseIsIdempotent() throws Exception {
    Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
    RawWebSocket c = raw(serve(hub));
    await("registration").atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();

    hub.broadcast(Target.all(), "before");
    assertThat(hub.disconnect(id, 4000, "kicked")).isTrue();
    assertThat(hub.disconnect(id, 4001, "again")).isFalse();

    assertThat(c.read().text()).isEqualTo("before");
    RawWebSocket.ServerFrame close = c.read();
    assertThat(close.closeCode()).isEqualTo(4000);
    assertThat(close.closeReason()).isEqualTo("kicked");
    c.send(frame(true, 0x8, closePayload(4000, "")));
    assertThat(c.awaitEof(WAIT)).isTrue();
    await("nothing pending")
        .atMost(WAIT)
        .until(() -> hub.metrics().pendingFrames() == 0 && hub.metrics().connections() == 0);
  }
}
