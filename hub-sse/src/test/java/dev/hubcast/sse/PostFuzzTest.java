package dev.hubcast.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.netty.HubChannelHandlers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes what a client may send as a {@code POST} to an open event stream: headers and body after a
 * valid request line and token, through the real pipeline (HTTP codec, the event-stream handler,
 * the WebSocket upgrade handler) on {@code EmbeddedChannel}s. Whatever the bytes, no exception
 * escapes either pipeline, and no message over the hub's {@code maxMessageBytes} reaches it.
 *
 * <p>On every build this replays the saved inputs under {@code
 * src/test/resources/dev/hubcast/sse/PostFuzzTestInputs/}. To fuzz: {@code JAZZER_FUZZ=1 mvn -pl
 * hub-sse test -Dtest=PostFuzzTest}.
 */
class PostFuzzTest {

  private static final int MAX = 1024;
  private static final AtomicInteger LARGEST = new AtomicInteger();
  private static final Hub<Message> HUB =
      Hub.create(
          HubConfig.builder(MessageCodec.identity())
              .maxMessageBytes(MAX)
              .handler(
                  new HubHandler<>() {
                    @Override
                    public void onMessage(Hub<Message> hub, Client client, Message message) {
                      LARGEST.accumulateAndGet(message.length(), Math::max);
                    }
                  })
              .build());
  private static final HubEventStream SSE = HubEventStream.create(HUB, "/sse");

  @AfterAll
  static void stop() throws Exception {
    HUB.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
  }

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(
        new HttpServerCodec(),
        SSE.newHandler(),
        new HttpObjectAggregator(64 * 1024),
        HubChannelHandlers.forPath(HUB, "/ws"));
  }

  @FuzzTest(maxDuration = "2m")
  void postBodiesAndHeaders_endAsMessagesWithinTheLimitOrARefusal(byte[] input) {
    EmbeddedChannel stream = channel();
    EmbeddedChannel post = channel();
    try {
      stream.writeInbound(
          Unpooled.copiedBuffer("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
      String opened = drain(stream);
      assertThat(opened).startsWith("HTTP/1.1 200").contains("event: hubcast-open");
      String token = opened.substring(opened.indexOf("data: ") + 6).split("\n", 2)[0];

      post.writeInbound(
          Unpooled.copiedBuffer(
              "POST /sse HTTP/1.1\r\nHost: x\r\nHubcast-Token: " + token + "\r\n",
              StandardCharsets.US_ASCII));
      post.writeInbound(Unpooled.wrappedBuffer(input));
      post.runPendingTasks();
      stream.runPendingTasks();
      drain(post);
      drain(stream);

      post.checkException();
      stream.checkException();
      assertThat(LARGEST.get()).isLessThanOrEqualTo(MAX);
    } finally {
      post.finishAndReleaseAll();
      stream.finishAndReleaseAll();
      stream.runPendingTasks();
    }
  }

  /** Reads and releases everything written out so far, as text. */
  private static String drain(EmbeddedChannel ch) {
    ch.runPendingTasks();
    StringBuilder out = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      if (o instanceof ByteBuf b) {
        out.append(b.toString(StandardCharsets.UTF_8));
        b.release();
      }
    }
    return out.toString();
  }
}
