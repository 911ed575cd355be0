package dev.hubcast.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the adapter's inbound path with whatever a peer may send after a valid upgrade: the bytes
 * go through the real pipeline ({@link HubChannelHandlers#initializer}) on an {@code
 * EmbeddedChannel}, as WebSocket frames. Whatever they are, no exception escapes the pipeline, and
 * no message over the hub's {@code maxMessageBytes} ever reaches it: each ends as messages within
 * the limit, or a close.
 *
 * <p>On every build this replays the saved inputs under {@code
 * src/test/resources/dev/hubcast/netty/InboundFuzzTestInputs/}. To fuzz: {@code JAZZER_FUZZ=1 mvn
 * -pl hub-netty test -Dtest=InboundFuzzTest}.
 */
class InboundFuzzTest {

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
  private static final byte[] UPGRADE =
      ("GET /ws HTTP/1.1\r\n"
              + "Host: 127.0.0.1\r\n"
              + "Upgrade: websocket\r\n"
              + "Connection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              + "Sec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  @AfterAll
  static void stop() throws Exception {
    HUB.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
  }

  @FuzzTest(maxDuration = "2m")
  void framesAfterTheUpgrade_endAsMessagesWithinTheLimitOrAClose(byte[] input) {
    EmbeddedChannel ch = new EmbeddedChannel(HubChannelHandlers.initializer(HUB, "/ws"));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(UPGRADE));
      ch.runPendingTasks();
      ByteBuf response = ch.readOutbound();
      assertThat(response.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
      response.release();
      if (ch.isOpen()) {
        ch.writeInbound(Unpooled.wrappedBuffer(input));
        ch.runPendingTasks();
      }
      ch.checkException();
      assertThat(LARGEST.get()).isLessThanOrEqualTo(MAX);
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
