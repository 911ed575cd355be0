package dev.hubcast.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.AuthResult;
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
import dev.hubcast.testkit.TestClient.CloseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HubWebSocketTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final BlockingQueue<String> closes = new LinkedBlockingQueue<>();
  private final Map<String, AtomicInteger> closeCounts = new ConcurrentHashMap<>();

  private Hub<String> hub;
  private JettyHubServer server;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception | AssertionError e) {
        // best effort
      }
    }
  }

  /** An echo hub: each text message goes back to its sender; "boom" makes the handler throw. */
  private HubConfig.Builder<String> echo() {
    return HubConfig.textBuilder()
        .handler(
            new HubHandler<>() {
              @Override
              public void onMessage(Hub<String> h, Client client, String text) {
                if (text.equals("boom")) {
                  throw new IllegalStateException("handler failure (expected by the test)");
                }
                if (text.equals("who")) {
                  h.send(
                      client.id(),
                      client.user().orElse("-")
                          + "|"
                          + client.handshake().principal().map(Principal::getName).orElse("-")
                          + "|"
                          + client.handshake().queryParam("room").orElse("-")
                          + "|"
                          + client.handshake().header("X-Test").orElse("-")
                          + "|"
                          + client.handshake().path());
                  return;
                }
                h.send(client.id(), text);
              }

              @Override
              public void onClose(Hub<String> h, Client client, int code, String reason) {
                closeCounts
                    .computeIfAbsent(client.id(), k -> new AtomicInteger())
                    .incrementAndGet();
                closes.add(client.id() + " " + code);
              }
            });
  }

  private void start(HubConfig<String> config) throws Exception {
    hub = Hub.create(config);
    server = JettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
    resources.add(hub::close);
    resources.add(server);
  }

  private TestClient connect() throws Exception {
    return connect("", Map.of());
  }

  private TestClient connect(String query, Map<String, String> headers) throws Exception {
    URI uri = query.isEmpty() ? server.uri() : URI.create(server.uri() + "?" + query);
    TestClient client = JdkWebSocketClient.connect(uri, headers);
    resources.add(client);
    return client;
  }

  private RawWebSocket raw() throws Exception {
    RawWebSocket ws = RawWebSocket.open(server.uri());
    resources.add(ws);
    return ws;
  }

  @Test
  void text_echo_roundTrips() throws Exception {
    start(echo().build());
    TestClient client = connect();
    client.sendText("héllo ✓ 𝄞");
    assertThat(client.awaitText(WAIT)).isEqualTo("héllo ✓ 𝄞");
  }

  @Test
  void broadcast_all_reachesEveryClient() throws Exception {
    start(echo().build());
    List<TestClient> clients = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      clients.add(connect());
    }
    await("5 registered clients").atMost(WAIT).until(() -> hub.clients().size() == 5);
    assertThat(hub.broadcast(Target.all(), "to all").queued()).isEqualTo(5);
    for (TestClient c : clients) {
      assertThat(c.awaitText(WAIT)).isEqualTo("to all");
    }
  }

  @Test
  void send_manyFrames_arriveInOrder() throws Exception {
    start(echo().build());
    TestClient client = connect();
    await("a registered client").atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      sent.add("m" + i);
      hub.send(id, "m" + i);
    }
    assertThat(client.awaitTexts(500, WAIT)).containsExactlyElementsOf(sent);
  }

  @Test
  void handshake_authenticatorRefuses_401BeforeUpgrade() throws Exception {
    start(
        echo()
            .authenticator(
                h ->
                    h.queryParam("token").filter("secret"::equals).isPresent()
                        ? AuthResult.user("ann")
                        : AuthResult.unauthorized("missing or unknown token"))
            .build());
    assertThatThrownBy(() -> connect("token=wrong", Map.of()))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(401));
    assertThat(hub.clients()).isEmpty();
    assertThat(hub.metrics().refusedHandshakes()).isEqualTo(1);
    TestClient admitted = connect("token=secret", Map.of());
    admitted.sendText("who");
    assertThat(admitted.awaitText(WAIT)).startsWith("ann|");
  }

  @Test
  void handshake_foreignOrigin_403() throws Exception {
    start(echo().build()); // default: same origin only
    assertThatThrownBy(() -> connect("", Map.of("Origin", "https://evil.example")))
        .isInstanceOfSatisfying(
            HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(403));
    String self = "http://127.0.0.1:" + server.port();
    TestClient sameOrigin = connect("", Map.of("Origin", self));
    sameOrigin.sendText("ok");
    assertThat(sameOrigin.awaitText(WAIT)).isEqualTo("ok");
    assertThat(hub.metrics().refusedHandshakes()).isEqualTo(1);
  }

  @Test
  void handshake_refusal_isPlainHttpWithReason() throws Exception {
    start(echo().originPolicy(OriginPolicy.allow("https://chat.example")).build());
    // The JDK's HTTP client refuses to set Upgrade/Connection; use a raw socket instead.
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      + "Connection: Upgrade\r\nOrigin: https://evil.example\r\n"
                      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      + "Sec-WebSocket-Version: 13\r\n\r\n")
                  .getBytes(UTF_8));
      StringBuilder response = new StringBuilder();
      byte[] chunk = new byte[512];
      int n;
      while (!response.toString().contains("origin not allowed")
          && (n = s.getInputStream().read(chunk)) > 0) {
        response.append(new String(chunk, 0, n, UTF_8));
      }
      assertThat(response.toString()).startsWith("HTTP/1.1 403").contains("origin not allowed");
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("no response to a refused upgrade", e);
    }
  }

  @Test
  void handshake_principalQueryAndHeaders_reachTheConnection() throws Exception {
    Principal ann = () -> "Ann Example";
    start(echo().authenticator(h -> AuthResult.of(ann, "ann")).build());
    TestClient client = connect("room=lobby&x=1", Map.of("X-Test", "yes"));
    client.sendText("who");
    assertThat(client.awaitText(WAIT)).isEqualTo("ann|Ann Example|lobby|yes|/ws");
    Client registered = hub.clients().iterator().next();
    assertThat(registered.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(registered.handshake().rawQuery()).isEqualTo("room=lobby&x=1");
  }

  @Test
  void message_overLimit_closes1009() throws Exception {
    start(echo().maxMessageBytes(1024).build());
    TestClient client = connect();
    client.sendText("x".repeat(1025));
    assertThat(client.awaitClose(WAIT).code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    await("the hub to drop the connection").atMost(WAIT).until(() -> hub.clients().isEmpty());
  }

  @Test
  void message_fragmentsOverLimit_close1009BeforeTheRestIsRead() throws Exception {
    start(echo().maxMessageBytes(1024).build());
    RawWebSocket ws = raw();
    ws.sendFrame(false, RawWebSocket.BINARY, new byte[1000]);
    ws.sendFrame(false, RawWebSocket.CONTINUATION, new byte[100]);
    // The server must not wait for the rest of the message.
    assertThat(ws.readClose().closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
  }

  @Test
  void message_hugeFrameHeader_closes1009WithoutThePayload() throws Exception {
    start(echo().maxMessageBytes(1024).build());
    RawWebSocket ws = raw();
    ws.sendHeader(true, RawWebSocket.BINARY, 1L << 40);
    assertThat(ws.readClose().closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
  }

  @Test
  void message_fragmentedAtLimit_isDelivered() throws Exception {
    start(echo().maxMessageBytes(1024).build());
    RawWebSocket ws = raw();
    ws.sendFrame(false, RawWebSocket.TEXT, "a".repeat(600).getBytes(UTF_8));
    ws.sendFrame(true, RawWebSocket.CONTINUATION, "b".repeat(424).getBytes(UTF_8));
    RawWebSocket.ServerFrame echo = ws.read();
    assertThat(echo.opcode()).isEqualTo(RawWebSocket.TEXT);
    assertThat(echo.text()).isEqualTo("a".repeat(600) + "b".repeat(424));
  }

  @Test
  void text_invalidUtf8_closes1007() throws Exception {
    start(echo().build());
    RawWebSocket ws = raw();
    ws.sendFrame(true, RawWebSocket.TEXT, new byte[] {'o', 'k', (byte) 0xC0, (byte) 0xAF});
    assertThat(ws.readClose().closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    await("the hub to drop the connection").atMost(WAIT).until(() -> hub.clients().isEmpty());
  }

  @Test
  void text_utf8SplitAcrossFragments_isAccepted() throws Exception {
    start(echo().build());
    RawWebSocket ws = raw();
    byte[] clef = "𝄞".getBytes(UTF_8); // 4 bytes
    ws.sendFrame(false, RawWebSocket.TEXT, new byte[] {clef[0], clef[1]});
    ws.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {clef[2], clef[3]});
    assertThat(ws.read().text()).isEqualTo("𝄞");
  }

  @Test
  void text_truncatedUtf8AtEnd_closes1007() throws Exception {
    start(echo().build());
    RawWebSocket ws = raw();
    byte[] clef = "𝄞".getBytes(UTF_8);
    ws.sendFrame(true, RawWebSocket.TEXT, new byte[] {clef[0], clef[1]});
    assertThat(ws.readClose().closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
  }

  @Test
  void protocol_continuationWithoutStart_closes1002() throws Exception {
    start(echo().build());
    RawWebSocket ws = raw();
    ws.sendFrame(true, RawWebSocket.CONTINUATION, "x".getBytes(UTF_8));
    assertThat(ws.readClose().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    await("the hub to drop the connection").atMost(WAIT).until(() -> hub.clients().isEmpty());
  }

  @Test
  void protocol_reservedOpcode_closes1002() throws Exception {
    start(echo().build());
    RawWebSocket ws = raw();
    ws.sendFrame(true, 0x3, new byte[0]);
    assertThat(ws.readClose().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
  }

  @Test
  void protocol_errorRightAfterAMessage_closes1002_andNothingComesAfterTheClose() throws Exception {
    start(echo().build());
    // The answer may still wait for a write round when Jetty parses the bad frame behind it and
    // fails the connection: it is then dropped (RFC 6455 7.1.7), but never sent after the close.
    for (int i = 0; i < 20; i++) {
      RawWebSocket ws = raw();
      byte[] text = ("answer me " + i).getBytes(UTF_8);
      java.io.ByteArrayOutputStream both = new java.io.ByteArrayOutputStream();
      both.write(0x80 | RawWebSocket.TEXT);
      both.write(0x80 | text.length);
      both.write(new byte[4]); // a zero mask leaves the payload as it is
      both.write(text);
      both.write(new byte[] {(byte) (0x80 | 0x3), (byte) 0x80, 0, 0, 0, 0}); // a reserved opcode
      ws.send(both.toByteArray()); // one write: Jetty parses both in one read
      RawWebSocket.ServerFrame first = ws.read();
      if (first.opcode() == RawWebSocket.TEXT) {
        assertThat(first.text()).isEqualTo("answer me " + i);
        first = ws.read();
      }
      assertThat(first.opcode()).isEqualTo(RawWebSocket.CLOSE);
      assertThat(first.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
      assertThat(ws.awaitEof(WAIT)).as("nothing after the close").isTrue();
    }
  }

  @Test
  void ping_isAnsweredWithItsPayload() throws Exception {
    start(echo().build());
    RawWebSocket ws = raw();
    ws.sendFrame(true, RawWebSocket.PING, "are you there".getBytes(UTF_8));
    RawWebSocket.ServerFrame pong = ws.read();
    assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
    assertThat(pong.text()).isEqualTo("are you there");
  }

  @Test
  void handler_throws_closes1011_othersUnaffected() throws Exception {
    start(echo().build());
    TestClient bad = connect();
    TestClient good = connect();
    bad.sendText("boom");
    assertThat(bad.awaitClose(WAIT).code()).isEqualTo(CloseCodes.INTERNAL_ERROR);
    good.sendText("still here");
    assertThat(good.awaitText(WAIT)).isEqualTo("still here");
    await("only the good client left").atMost(WAIT).until(() -> hub.clients().size() == 1);
    assertThat(hub.metrics().handlerErrors()).isEqualTo(1);
  }

  @Test
  void clientClose_removesFromHubExactlyOnce() throws Exception {
    start(echo().build());
    TestClient client = connect();
    await("a registered client").atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();
    client.close(CloseCodes.NORMAL, "bye");
    assertThat(closes.poll(5, TimeUnit.SECONDS)).isEqualTo(id + " 1000");
    assertThat(client.awaitClose(WAIT).code()).isEqualTo(CloseCodes.NORMAL);
    assertThat(hub.clients()).isEmpty();
    assertThat(hub.metrics().connections()).isZero();
    assertThat(closes.poll(200, TimeUnit.MILLISECONDS)).isNull();
    assertThat(closeCounts.get(id)).hasValue(1);
  }

  @Test
  void clientAbort_removesFromHubWith1006() throws Exception {
    start(echo().build());
    TestClient client = connect();
    await("a registered client").atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();
    client.abort();
    assertThat(closes.poll(5, TimeUnit.SECONDS)).isEqualTo(id + " 1006");
    assertThat(hub.clients()).isEmpty();
    assertThat(closeCounts.get(id)).hasValue(1);
  }

  @Test
  void hubClose_sendsCodeAndReason_afterQueuedFrames() throws Exception {
    start(echo().build());
    TestClient client = connect();
    await("a registered client").atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();
    hub.send(id, "last words");
    hub.disconnect(id, 4000, "see you");
    assertThat(client.awaitText(WAIT)).isEqualTo("last words");
    CloseStatus close = client.awaitClose(WAIT);
    assertThat(close.code()).isEqualTo(4000);
    assertThat(close.reason()).isEqualTo("see you");
    assertThat(closes.poll(5, TimeUnit.SECONDS)).startsWith(id + " ");
    assertThat(closeCounts.get(id)).hasValue(1);
  }

  @Test
  void idle_silentPeer_isPingedThenClosed() throws Exception {
    start(echo().idleTimeout(Duration.ofMillis(600)).closeTimeout(Duration.ofMillis(500)).build());
    RawWebSocket ws = raw(); // never answers pings
    long start = System.nanoTime();
    RawWebSocket.ServerFrame first = ws.read();
    assertThat(first.opcode()).isEqualTo(RawWebSocket.PING);
    assertThat(ws.readClose().closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(550));
    await("the hub to drop the idle connection").atMost(WAIT).until(() -> hub.clients().isEmpty());
  }

  @Test
  void idle_peerAnsweringPings_staysOpen() throws Exception {
    start(echo().idleTimeout(Duration.ofMillis(400)).build());
    TestClient client = connect(); // the JDK client answers pings
    await("a registered client").atMost(WAIT).until(() -> hub.clients().size() == 1);
    // Three idle timeouts with no application traffic: the pongs keep it alive.
    await("the connection to stay open through three idle timeouts")
        .during(Duration.ofMillis(1200))
        .atMost(WAIT)
        .until(() -> !client.isClosed() && hub.clients().size() == 1);
    client.sendText("alive");
    assertThat(client.awaitText(WAIT)).isEqualTo("alive");
  }

  @Test
  void binary_isEchoedAsBinary() throws Exception {
    CopyOnWriteArrayList<Boolean> kinds = new CopyOnWriteArrayList<>();
    Hub<byte[]> bytes =
        Hub.create(
            HubConfig.builder(dev.hubcast.core.MessageCodec.bytes())
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onMessage(Hub<byte[]> h, Client client, byte[] data) {
                        kinds.add(true);
                        h.send(client.id(), data);
                      }
                    })
                .build());
    resources.add(bytes::close);
    JettyHubServer s = JettyHubServer.builder(bytes).host("127.0.0.1").port(0).start();
    resources.add(s);
    TestClient client = JdkWebSocketClient.connect(s.uri(), Map.of());
    resources.add(client);
    byte[] big = new byte[200_000 / 4];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    client.sendBinary(big);
    assertThat(client.awaitBinary(WAIT)).isEqualTo(big);
    assertThat(kinds).hasSize(1);
  }

  @Test
  void staticResources_serveIndexAndFiles_besideTheSocket() throws Exception {
    hub = Hub.create(echo().build());
    resources.add(hub::close);
    server =
        JettyHubServer.builder(hub)
            .host("127.0.0.1")
            .port(0)
            .path("/ws")
            .staticResources("/public")
            .start();
    resources.add(server);
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> index =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("hub-jetty test page");
    HttpResponse<String> missing =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/nope.txt"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    TestClient client = connect();
    client.sendText("both");
    assertThat(client.awaitText(WAIT)).isEqualTo("both");
  }

  @Test
  void staticResources_missingFolder_failsAtStart() {
    hub = Hub.create(echo().build());
    resources.add(hub::close);
    assertThatThrownBy(
            () ->
                JettyHubServer.builder(hub)
                    .host("127.0.0.1")
                    .port(0)
                    .staticResources("/no-such-folder")
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/no-such-folder");
  }

  @Test
  void builder_rejectsBadValues() {
    hub = Hub.create(echo().build());
    resources.add(hub::close);
    JettyHubServer.Builder b = JettyHubServer.builder(hub);
    assertThatThrownBy(() -> b.port(70000)).hasMessage("port: 70000 (expected: 0-65535)");
    assertThatThrownBy(() -> b.path("ws")).hasMessageContaining("expected: starts with '/'");
    assertThatThrownBy(() -> HubWebSocket.handler(hub, "")).hasMessageContaining("pathSpec");
  }
}
