package dev.hubcast.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.RateLimit;
import dev.hubcast.core.SlowConsumerPolicy;
import dev.hubcast.core.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Abuse of the event-stream transport: stalled readers, churn, requests that never finish, floods.
 * Each must cost the server nothing lasting, and the other clients nothing at all.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SseHardeningTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final boolean LONG = Boolean.getBoolean("hubcast.hardening.long");

  private final List<AutoCloseable> resources = new ArrayList<>();
  private Hub<String> hub;
  private SseTestServer server;

  private void serve(UnaryOperator<HubConfig.Builder<String>> options) {
    hub = Hub.create(options.apply(HubConfig.textBuilder()).build());
    server = SseTestServer.start(hub);
    resources.add(server);
    resources.add(() -> hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS));
  }

  private SseTestClient connect() throws Exception {
    SseTestClient c = (SseTestClient) server.connect("", Map.of());
    resources.add(c::abort);
    return c;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private void awaitEmpty() {
    await("registry, outboxes and streams to be empty")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              HubMetrics m = hub.metrics();
              assertThat(
                      hub.clients().isEmpty()
                          && m.connections() == 0
                          && m.pendingFrames() == 0
                          && server.eventStream().openStreams() == 0)
                  .as("empty; last seen %s, %s", m, server.eventStream())
                  .isTrue();
            });
  }

  @Test
  void aStalledReader_isClosed_whileTheReadersBesideItGetEverythingInOrder() throws Exception {
    long limit = 256 * 1024;
    serve(
        c ->
            c.policy(BroadcastPolicy.NONE)
                .slowConsumerPolicy(SlowConsumerPolicy.DISCONNECT)
                .outboxLimits(limit, 1000)
                .closeTimeout(Duration.ofSeconds(60)));
    int readers = LONG ? 100 : 10;
    int messages = LONG ? 10_000 : 3_000;
    SseTestClient stalled = connect();
    stalled.pauseReading();
    List<SseTestClient> list = new ArrayList<>();
    for (int i = 0; i < readers; i++) {
      list.add(connect());
    }
    await().until(() -> hub.clients().size() == readers + 1);
    String pad = "x".repeat(1016);
    int batch = 250;
    boolean closed = false;

    // On until the stalled stream is closed: socket buffers on loopback hold megabytes first.
    for (int sent = 0; (sent < messages || !closed) && sent < 40_000; ) {
      for (int i = 0; i < batch; i++, sent++) {
        hub.broadcast(Target.all(), String.format("%07d:", sent) + pad);
      }
      for (SseTestClient r : list) { // every reader gets the batch, in order, before the next
        List<String> got = r.awaitTexts(batch, WAIT);
        for (int i = 0; i < batch; i++) {
          assertThat(got.get(i)).startsWith(String.format("%07d:", sent - batch + i));
        }
      }
      closed = hub.metrics().slowConsumerCloses() > 0;
    }

    assertThat(closed).as("the stalled stream was closed").isTrue();
    assertThat(hub.metrics().slowConsumerCloses()).isEqualTo(1);
    await().until(() -> hub.clients().size() == readers);
    stalled.resumeReading(); // behind its backlog, it finds the close
    assertThat(stalled.awaitClose(WAIT).code()).isEqualTo(CloseCodes.POLICY_VIOLATION);
    await().until(() -> server.eventStream().openStreams() == readers);
  }

  @Test
  void churn_leavesNothingBehind() throws Exception {
    serve(c -> c.policy(BroadcastPolicy.ALL));
    int cycles = LONG ? 10_000 : 300;
    for (int i = 0; i < cycles; i++) {
      SseTestClient c = connect();
      if (i % 3 == 0) {
        c.sendText("hello " + i);
      }
      if (i % 2 == 0) {
        hub.broadcast(Target.all(), "to all " + i);
      }
      c.abort();
    }
    awaitEmpty();
  }

  @Test
  void aRequestThatNeverEnds_andABodyThatNeverComes_areDroppedAfterTheHandshakeTimeout()
      throws Exception {
    serve(c -> c.handshakeTimeout(Duration.ofMillis(500)));
    SseTestClient other = connect();
    await().until(() -> hub.clients().size() == 1);

    try (RawHttp mute = new RawHttp(server.netty().port());
        RawHttp halfHeaders = new RawHttp(server.netty().port());
        RawHttp noBody = new RawHttp(server.netty().port())) {
      halfHeaders.write("GET /sse HTTP/1.1\r\nHost: x\r\n");
      noBody.write(
          "POST /sse HTTP/1.1\r\nHost: x\r\nHubcast-Token: "
              + other.token()
              + "\r\nContent-Length: 10\r\n\r\nabc");

      assertThat(mute.closedByServer()).isTrue();
      assertThat(halfHeaders.closedByServer()).isTrue();
      assertThat(noBody.readStatus()).isEqualTo(408);
      assertThat(noBody.closedByServer()).isTrue();
    }
    assertThat(hub.clients()).hasSize(1);
    hub.broadcast(Target.all(), "still here");
    assertThat(other.awaitText(WAIT)).isEqualTo("still here");
  }

  @Test
  void aFlooderOverTheRateLimit_isClosed1008_andTheOthersGoOn() throws Exception {
    serve(c -> c.policy(BroadcastPolicy.ALL).rateLimit(RateLimit.of(0.01, 5)));
    SseTestClient flooder = connect();
    SseTestClient other = connect();
    await().until(() -> hub.clients().size() == 2);

    for (int i = 0; i < 6; i++) {
      flooder.sendText("flood " + i);
    }

    assertThat(flooder.awaitClose(WAIT).code()).isEqualTo(CloseCodes.POLICY_VIOLATION);
    hub.broadcast(Target.all(), "still here");
    String m;
    do {
      m = other.awaitText(WAIT);
    } while (!m.equals("still here"));
  }

  @Test
  void postsAfterTheStreamEnded_areRefused403() throws Exception {
    serve(c -> c);
    SseTestClient a = connect();
    await().until(() -> hub.clients().size() == 1);
    String token = a.token();
    a.abort();
    await().until(() -> server.eventStream().openStreams() == 0);

    try (RawHttp raw = new RawHttp(server.netty().port())) {
      raw.write(
          "POST /sse HTTP/1.1\r\nHost: x\r\nHubcast-Token: "
              + token
              + "\r\nContent-Length: 2\r\n\r\nhi");
      assertThat(raw.readStatus()).isEqualTo(403);
    }
    assertThat(hub.metrics().framesIn()).isZero();
  }
}
