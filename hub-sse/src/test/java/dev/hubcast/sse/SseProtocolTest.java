package dev.hubcast.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.core.RoomMark;
import dev.hubcast.core.Target;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the event-stream protocol adds to the kit's contracts: ids, resume, the POST's answers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SseProtocolTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private Hub<String> hub;
  private SseTestServer server;

  private void serve(UnaryOperator<HubConfig.Builder<String>> options) {
    hub = Hub.create(options.apply(HubConfig.textBuilder()).build());
    server = SseTestServer.start(hub);
    resources.add(server);
    resources.add(() -> hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS));
  }

  private SseTestClient connect(String query, Map<String, String> headers) throws Exception {
    SseTestClient c = (SseTestClient) server.connect(query, headers);
    resources.add(c::abort);
    return c;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** Joins "r", resuming from the stream's Last-Event-ID when it has one. */
  private static HubHandler<String> resumingFromLastEventId() {
    return new HubHandler<>() {
      @Override
      public void onOpen(Hub<String> hub, Client client) {
        client
            .handshake()
            .lastEventMark()
            .ifPresentOrElse(
                mark -> hub.joinAndResume(client.id(), mark.room(), mark.position()),
                () -> hub.join(client.id(), "r"));
      }
    };
  }

  @Test
  void roomEvents_carryTheirMark_andAReconnectWithLastEventId_getsExactlyWhatItMissed()
      throws Exception {
    serve(c -> c.historySize(100).handler(resumingFromLastEventId()));
    SseTestClient first = connect("", Map.of());
    await().until(() -> hub.members("r").size() == 1);
    for (int i = 1; i <= 3; i++) {
      hub.broadcast(Target.room("r"), "m" + i);
    }
    hub.broadcast(Target.connection(hub.clients().iterator().next().id()), "direct");
    assertThat(first.awaitTexts(4, WAIT)).containsExactly("m1", "m2", "m3", "direct");
    RoomMark seen = RoomMark.parse(first.lastEventId());
    assertThat(seen.room()).isEqualTo("r");
    assertThat(seen.position().seq()).isEqualTo(3); // the direct message has no id
    first.abort();
    await().until(() -> hub.clients().isEmpty());

    hub.broadcast(Target.room("r"), "m4");
    hub.broadcast(Target.room("r"), "m5");
    SseTestClient back = connect("", Map.of("Last-Event-ID", seen.toText()));
    await().until(() -> hub.members("r").size() == 1);
    hub.broadcast(Target.room("r"), "m6");

    assertThat(back.awaitTexts(3, WAIT)).containsExactly("m4", "m5", "m6");
    assertThat(RoomMark.parse(back.lastEventId()).position())
        .isEqualTo(new dev.hubcast.core.RoomPosition(seen.position().epoch(), 6));
  }

  @Test
  void textsOfEveryShape_andBinary_arriveAsSent() throws Exception {
    serve(c -> c);
    SseTestClient c = connect("tag=a", Map.of());
    await().until(() -> hub.clients().size() == 1);
    List<String> texts =
        List.of(
            "",
            " leading space",
            "two\nlines",
            "\n",
            "carriage\rreturn",
            "crlf\r\n",
            "ü ✓ 😀",
            ":colon",
            "data: x");

    for (String t : texts) {
      hub.broadcast(Target.all(), t);
    }
    byte[] bytes = {0, 1, 2, (byte) 0xff, '\n', '\r'};
    hub.broadcastMessage(Target.all(), Message.binary(bytes));

    assertThat(c.awaitTexts(texts.size(), WAIT)).containsExactlyElementsOf(texts);
    assertThat(c.awaitBinary(WAIT)).isEqualTo(bytes);
  }

  @Test
  void aWebSocketClientAndAStreamClient_onTheSamePort_talkToEachOther() throws Exception {
    serve(c -> c.policy(BroadcastPolicy.ALL));
    SseTestClient sse = connect("", Map.of());
    URI ws = URI.create("ws://127.0.0.1:" + server.netty().port() + "/ws");
    TestClient socket = JdkWebSocketClient.connect(ws);
    resources.add(socket::abort);
    await().until(() -> hub.clients().size() == 2);

    sse.sendText("from the stream");
    assertThat(socket.awaitText(WAIT)).isEqualTo("from the stream");
    assertThat(sse.awaitText(WAIT)).isEqualTo("from the stream");
    socket.sendText("from the socket");
    assertThat(sse.awaitText(WAIT)).isEqualTo("from the socket");
  }

  @Test
  void aPost_withoutItsStreamsTokenOriginOrCredentials_isRefused_andNothingReachesTheHub()
      throws Exception {
    serve(
        c ->
            c.policy(BroadcastPolicy.ALL)
                .originPolicy(OriginPolicy.allow("https://chat.example", "https://evil.example")));
    SseTestClient a =
        connect("", Map.of("Origin", "https://chat.example", "Authorization", "Bearer a"));
    await().until(() -> hub.clients().size() == 1);
    String token = tokenOf(a);

    assertThat(post(null, Map.of(), "text/plain", "x")).isEqualTo(400);
    assertThat(
            post(
                "not-a-token",
                originAndAuth("https://chat.example", "Bearer a"),
                "text/plain",
                "x"))
        .isEqualTo(403);
    assertThat(post(token, originAndAuth("https://evil.example", "Bearer a"), "text/plain", "x"))
        .isEqualTo(403);
    assertThat(post(token, Map.of("Authorization", "Bearer a"), "text/plain", "x")).isEqualTo(403);
    assertThat(post(token, originAndAuth("https://chat.example", "Bearer b"), "text/plain", "x"))
        .isEqualTo(403);
    assertThat(post(token, originAndAuth("https://chat.example", "Bearer a"), "image/png", "x"))
        .isEqualTo(415);
    assertThat(
            post(
                token,
                originAndAuth("https://chat.example", "Bearer a"),
                "text/plain; charset=latin1",
                "x"))
        .isEqualTo(415);
    assertThat(hub.metrics().framesIn()).isZero();

    assertThat(post(token, originAndAuth("https://chat.example", "Bearer a"), "text/plain", "ok"))
        .isEqualTo(204);
    assertThat(a.awaitText(WAIT)).isEqualTo("ok");
  }

  @Test
  void aStreamOpenedWithoutAnOrigin_takesPostsFromItsOwnOrigin_only() throws Exception {
    // A browser's same-origin EventSource sends no Origin; its fetch POSTs always do.
    serve(c -> c.policy(BroadcastPolicy.ALL));
    SseTestClient a = connect("", Map.of());
    await().until(() -> hub.clients().size() == 1);
    String own = "http://127.0.0.1:" + server.netty().port();

    assertThat(post(a.token(), Map.of("Origin", "https://evil.example"), "text/plain", "x"))
        .isEqualTo(403);
    assertThat(post(a.token(), Map.of("Origin", own), "text/plain", "from the page"))
        .isEqualTo(204);
    assertThat(a.awaitText(WAIT)).isEqualTo("from the page");
  }

  @Test
  void theTokenIsRandom_andNotTheConnectionId() throws Exception {
    serve(c -> c);
    SseTestClient a = connect("", Map.of());
    SseTestClient b = connect("", Map.of());
    await().until(() -> hub.clients().size() == 2);

    assertThat(tokenOf(a)).hasSize(22).isNotEqualTo(tokenOf(b));
    for (Client c : hub.clients()) {
      assertThat(c.id()).isNotIn(tokenOf(a), tokenOf(b));
    }
  }

  @Test
  void otherMethods_get405() throws Exception {
    serve(c -> c);
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(server.streamUri())
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.body()).contains("expected GET or POST");
  }

  @Test
  void anOversizePost_is413BeforeItsBodyIsRead_andTheStreamCloses1009() throws Exception {
    serve(c -> c.maxMessageBytes(1024));
    SseTestClient a = connect("", Map.of());
    await().until(() -> hub.clients().size() == 1);

    try (RawHttp raw = new RawHttp(server.netty().port())) {
      // Declares 100 MB and sends ten bytes: the answer must not wait for the rest.
      raw.write(
              "POST /sse HTTP/1.1\r\nHost: x\r\nHubcast-Token: "
                  + tokenOf(a)
                  + "\r\nContent-Type: text/plain\r\nContent-Length: 100000000\r\n\r\n")
          .write("0123456789");
      assertThat(raw.readStatus()).isEqualTo(413);
      assertThat(raw.closedByServer()).isTrue();
    }
    assertThat(a.awaitClose(WAIT).code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    await().until(() -> hub.clients().isEmpty());
  }

  @Test
  void aChunkedPostPastTheLimit_is413AtTheChunkThatPassesIt() throws Exception {
    serve(c -> c.maxMessageBytes(1024));
    SseTestClient a = connect("", Map.of());
    await().until(() -> hub.clients().size() == 1);
    String chunk = "x".repeat(800);

    try (RawHttp raw = new RawHttp(server.netty().port())) {
      raw.write(
              "POST /sse HTTP/1.1\r\nHost: x\r\nHubcast-Token: "
                  + tokenOf(a)
                  + "\r\nTransfer-Encoding: chunked\r\n\r\n")
          .write(Integer.toHexString(800) + "\r\n" + chunk + "\r\n")
          .write(Integer.toHexString(800) + "\r\n" + chunk + "\r\n"); // no last chunk, ever
      assertThat(raw.readStatus()).isEqualTo(413);
    }
    assertThat(a.awaitClose(WAIT).code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
  }

  @Test
  void textThatIsNotUtf8_is400_andTheStreamCloses1007() throws Exception {
    serve(c -> c);
    SseTestClient a = connect("", Map.of());
    await().until(() -> hub.clients().size() == 1);

    int status =
        a.post(new byte[] {'o', 'k', (byte) 0xc3, (byte) 0x28}, "text/plain; charset=utf-8")
            .get(10, TimeUnit.SECONDS);

    assertThat(status).isEqualTo(400);
    assertThat(a.awaitClose(WAIT).code()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    assertThat(hub.metrics().framesIn()).isZero();
  }

  @Test
  void anIdleStream_getsHeartbeats_andOutlivesTheHandshakeTimeout() throws Exception {
    serve(c -> c.idleTimeout(Duration.ofMillis(600)).handshakeTimeout(Duration.ofMillis(300)));
    try (RawHttp raw = new RawHttp(server.netty().port())) {
      raw.write("GET /sse HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
      assertThat(raw.readStatus()).isEqualTo(200);
      List<String> lines = new ArrayList<>();
      // Chunked: a size line, then the chunk's lines. Three heartbeats take about 0.9 s,
      // three times the handshake timeout.
      while (lines.stream().filter(":"::equals).count() < 3) {
        String line = raw.readLine();
        assertThat(line).as("stream still open after %s", lines).isNotNull();
        lines.add(line);
      }
      assertThat(lines).contains("event: hubcast-open");
      hub.broadcast(Target.all(), "still here");
      String line;
      do {
        line = raw.readLine();
      } while (line != null && !line.equals("data: still here"));
      assertThat(line).isEqualTo("data: still here");
    }
  }

  @Test
  void theHubsClose_isTheLastEvent_withItsCodeAndReason() throws Exception {
    serve(c -> c);
    SseTestClient a = connect("", Map.of());
    await().until(() -> hub.clients().size() == 1);

    hub.broadcast(Target.all(), "before");
    hub.disconnect(hub.clients().iterator().next().id(), 4000, "kicked\nout");

    assertThat(a.awaitText(WAIT)).isEqualTo("before");
    assertThat(a.awaitClose(WAIT)).isEqualTo(new TestClient.CloseStatus(4000, "kicked out"));
    await().until(() -> hub.clients().isEmpty() && server.eventStream().openStreams() == 0);
  }

  @Test
  void aStreamsConnection_isNeverReused() throws Exception {
    serve(c -> c);
    // The stream's connection is closed when the stream ends: its response must say so, or a
    // client keeps the connection for its next request and that request meets a closed socket.
    try (RawHttp raw = new RawHttp(server.netty().port())) {
      raw.write("GET /sse HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
      assertThat(raw.readStatus()).isEqualTo(200);
      assertThat(raw.headers()).containsEntry("connection", "close");
    }
  }

  private static Map<String, String> originAndAuth(String origin, String auth) {
    return Map.of("Origin", origin, "Authorization", auth);
  }

  private int post(String token, Map<String, String> headers, String type, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.streamUri())
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .header("Content-Type", type);
    if (token != null) {
      b.header("Hubcast-Token", token);
    }
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static String tokenOf(SseTestClient c) {
    return c.token();
  }
}
