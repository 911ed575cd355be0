package dev.hubcast.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.testkit.RawWebSocket;
import dev.hubcast.testkit.RawWebSocket.ServerFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The protocol parts Netty does for the adapter, seen on the wire: message assembly ({@code
 * WebSocketFrameAggregator}), UTF-8 across fragments, control frames through Netty's encoder, the
 * close handshake's codes, reasons and timer, and the 101 of Netty's handshaker.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyWireProtocolTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int LIMIT = 1000;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Map<String, String> closes = new ConcurrentHashMap<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** A hub that echoes every message, text or binary, to its sender. */
  private Hub<Message> echo(Duration closeTimeout) {
    Hub<Message> hub =
        Hub.create(
            HubConfig.builder(MessageCodec.identity())
                .maxMessageBytes(LIMIT)
                .closeTimeout(closeTimeout)
                .drainTimeout(Duration.ZERO)
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onMessage(Hub<Message> hub, Client client, Message message) {
                        hub.send(client.id(), message);
                      }

                      @Override
                      public void onClose(Hub<Message> hub, Client client, int code, String why) {
                        closes.put(client.id(), code + " " + why);
                      }
                    })
                .build());
    resources.add(() -> hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS));
    return hub;
  }

  private Hub<Message> echo() {
    return echo(Duration.ofSeconds(5));
  }

  private URI serve(Hub<?> hub) {
    NettyHubServer server =
        NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
    resources.add(server);
    return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
  }

  private RawWebSocket open(URI uri) throws Exception {
    RawWebSocket ws = RawWebSocket.open(uri);
    resources.add(ws);
    return ws;
  }

  private static String reason(ServerFrame close) {
    byte[] p = close.payload();
    return new String(p, 2, p.length - 2, StandardCharsets.UTF_8);
  }

  private static ServerFrame nextData(RawWebSocket ws) throws Exception {
    ServerFrame f = ws.readFrame(WAIT);
    while (f != null && f.opcode() == RawWebSocket.PING) {
      f = ws.readFrame(WAIT);
    }
    return f;
  }

  @Test
  void fragmentsOverTheLimit_close1009_beforeTheLastFragmentIsSent() throws Exception {
    Hub<Message> hub = echo();
    RawWebSocket ws = open(serve(hub));

    ws.sendFrame(false, RawWebSocket.TEXT, "a".repeat(600).getBytes(StandardCharsets.UTF_8));
    ws.sendFrame(
        false, RawWebSocket.CONTINUATION, "b".repeat(401).getBytes(StandardCharsets.UTF_8));

    ServerFrame close = ws.awaitClose(WAIT);
    assertThat(close).as("a close frame").isNotNull();
    assertThat(close.closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    assertThat(reason(close)).isEqualTo("message over " + LIMIT + " bytes");
    assertThat(ws.awaitEof(WAIT)).as("the socket closed").isTrue();
    assertThat(hub.metrics().framesIn()).isZero();
  }

  @Test
  void fragmentedBinaryMessage_ofExactlyTheLimit_isJoined_aroundAPing() throws Exception {
    RawWebSocket ws = open(serve(echo()));
    byte[] whole = new byte[LIMIT];
    for (int i = 0; i < whole.length; i++) {
      whole[i] = (byte) i;
    }

    ws.sendFrame(false, RawWebSocket.BINARY, Arrays.copyOfRange(whole, 0, 300));
    ws.sendFrame(true, RawWebSocket.PING, new byte[] {1, 2, 3});
    ws.sendFrame(false, RawWebSocket.CONTINUATION, Arrays.copyOfRange(whole, 300, 700));
    ws.sendFrame(true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(whole, 700, LIMIT));

    ServerFrame pong = ws.readFrame(WAIT);
    assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
    assertThat(pong.payload()).containsExactly(1, 2, 3);
    ServerFrame echoed = nextData(ws);
    assertThat(echoed.opcode()).isEqualTo(RawWebSocket.BINARY);
    assertThat(echoed.fin()).isTrue();
    assertThat(echoed.payload()).isEqualTo(whole);
  }

  @Test
  void utf8SplitAcrossFragments_isOneTextMessage() throws Exception {
    RawWebSocket ws = open(serve(echo()));
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC

    ws.sendFrame(false, RawWebSocket.TEXT, new byte[] {'x', euro[0], euro[1]});
    ws.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {euro[2], 'y'});

    ServerFrame echoed = nextData(ws);
    assertThat(echoed.opcode()).isEqualTo(RawWebSocket.TEXT);
    assertThat(new String(echoed.payload(), StandardCharsets.UTF_8)).isEqualTo("x€y");
  }

  @Test
  void invalidUtf8AcrossFragments_closes1007() throws Exception {
    Hub<Message> hub = echo();
    RawWebSocket ws = open(serve(hub));

    ws.sendFrame(false, RawWebSocket.TEXT, new byte[] {'x', (byte) 0xE2, (byte) 0x82});
    ws.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {'(', 'y'});

    ServerFrame close = ws.awaitClose(WAIT);
    assertThat(close.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    assertThat(reason(close)).isEqualTo("invalid UTF-8 in text message");
    assertThat(hub.metrics().framesIn()).isZero();
  }

  @Test
  void invalidUtf8EarlyInAFrame_closes1007_beforeTheRestOfTheFrameIsSent() throws Exception {
    Hub<Message> hub = echo();
    RawWebSocket ws = open(serve(hub));
    byte[] payload = new byte[900];
    java.util.Arrays.fill(payload, (byte) 'a');
    payload[10] = (byte) 0xFF; // never UTF-8
    byte[] frame = RawWebSocket.frame(true, RawWebSocket.TEXT, payload);

    ws.send(java.util.Arrays.copyOf(frame, 4 + 4 + 20)); // header, mask, 20 payload bytes

    ServerFrame close = ws.awaitClose(WAIT);
    assertThat(close.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    assertThat(hub.metrics().framesIn()).isZero();
  }

  @Test
  void validTextInChoppedFrames_aroundAPing_isEchoedWhole() throws Exception {
    RawWebSocket ws = open(serve(echo()));
    String text = "é€😀".repeat(60); // 540 bytes, characters split across the chops
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    byte[] first = RawWebSocket.frame(false, RawWebSocket.TEXT, java.util.Arrays.copyOf(utf8, 301));
    byte[] rest =
        RawWebSocket.frame(
            true, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(utf8, 301, utf8.length));

    for (int i = 0; i < first.length; i += 7) {
      ws.send(java.util.Arrays.copyOfRange(first, i, Math.min(first.length, i + 7)));
    }
    ws.sendFrame(true, RawWebSocket.PING, new byte[] {1, 2});
    ws.send(java.util.Arrays.copyOf(rest, 5));
    ws.send(java.util.Arrays.copyOfRange(rest, 5, rest.length));

    ServerFrame pong = nextData(ws);
    assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
    ServerFrame echoed = nextData(ws);
    assertThat(echoed.opcode()).isEqualTo(RawWebSocket.TEXT);
    assertThat(new String(echoed.payload(), StandardCharsets.UTF_8)).isEqualTo(text);
  }

  @Test
  void protocolError_closes1002_withTheBrokenRuleAsReason() throws Exception {
    RawWebSocket ws = open(serve(echo()));

    ws.sendFrame(true, RawWebSocket.CONTINUATION, "stray".getBytes(StandardCharsets.UTF_8));

    ServerFrame close = ws.awaitClose(WAIT);
    assertThat(close.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat(reason(close)).containsIgnoringCase("continuation");
    assertThat(close.payload().length).isLessThanOrEqualTo(125);
  }

  @Test
  void hubsLongCloseReason_isCutTo123Bytes_betweenCharacters() throws Exception {
    Hub<Message> hub = echo();
    RawWebSocket ws = open(serve(hub));
    await().atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();

    hub.disconnect(id, 4000, "é".repeat(100)); // 200 UTF-8 bytes

    ServerFrame close = ws.awaitClose(WAIT);
    assertThat(close.closeCode()).isEqualTo(4000);
    assertThat(close.payload()).hasSize(2 + 122); // 61 two-byte characters: 123 would split one
    assertThat(reason(close)).isEqualTo("é".repeat(61));
  }

  @Test
  void closeWithoutCode_isAnsweredWithAnEmptyClose_andReportedAs1005() throws Exception {
    Hub<Message> hub = echo();
    RawWebSocket ws = open(serve(hub));
    await().atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();

    ws.sendFrame(true, RawWebSocket.CLOSE, new byte[0]);

    ServerFrame answer = ws.awaitClose(WAIT);
    assertThat(answer.payload()).isEmpty();
    assertThat(ws.awaitEof(WAIT)).isTrue();
    await().atMost(WAIT).until(() -> closes.containsKey(id));
    assertThat(closes.get(id)).isEqualTo(CloseCodes.NO_STATUS + " ");
  }

  @Test
  void closeReasonThatIsNotUtf8_closes1007() throws Exception {
    RawWebSocket ws = open(serve(echo()));

    ws.sendFrame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8, (byte) 0xC3, 0x28});

    assertThat(ws.awaitClose(WAIT).closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
  }

  @Test
  void peerThatNeverAnswersTheClose_isDroppedAtTheCloseTimeout() throws Exception {
    Hub<Message> hub = echo(Duration.ofMillis(300));
    RawWebSocket ws = open(serve(hub));
    await().atMost(WAIT).until(() -> hub.clients().size() == 1);
    String id = hub.clients().iterator().next().id();

    hub.disconnect(id, CloseCodes.NORMAL, "bye");

    assertThat(ws.awaitClose(WAIT).closeCode()).isEqualTo(CloseCodes.NORMAL);
    assertThat(ws.awaitEof(WAIT)).as("dropped without an answer").isTrue();
    await().atMost(WAIT).until(() -> closes.containsKey(id));
    assertThat(closes.get(id)).isEqualTo(CloseCodes.NORMAL + " bye");
  }

  @Test
  void upgrade_isNettysResponse_withTheHubsSubprotocol() throws Exception {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder().subprotocols("chat.v2").drainTimeout(Duration.ZERO).build());
    resources.add(() -> hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS));
    URI uri = serve(hub);
    RawWebSocket ws = RawWebSocket.tcp(uri);
    resources.add(ws);
    Map<String, String> headers = RawWebSocket.standardHeaders(uri);
    headers.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="); // RFC 6455, section 1.3
    headers.put("Sec-WebSocket-Protocol", "chat.v1, chat.v2");

    RawWebSocket.Response response = ws.handshake(uri, headers, 0);

    assertThat(response.status()).isEqualTo(101);
    String head = response.head().toLowerCase(java.util.Locale.ROOT);
    assertThat(head).contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=");
    assertThat(head).contains("sec-websocket-protocol: chat.v2");
    assertThat(head).contains("upgrade: websocket").contains("connection: upgrade");
  }

  @Test
  void upgrade_overHttp10_isRefusedWith400_notA101() throws Exception {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().drainTimeout(Duration.ZERO).build());
    resources.add(() -> hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS));
    URI uri = serve(hub);
    String http10 =
        RawWebSocket.upgradeRequest(uri.getPath()).replace(" HTTP/1.1\r\n", " HTTP/1.0\r\n");

    RawWebSocket ws = RawWebSocket.open(uri.getPort(), http10, new byte[0]);
    resources.add(ws);

    assertThat(ws.response().status()).isEqualTo(400);
    assertThat(hub.connectionCount()).isZero();
  }
}
