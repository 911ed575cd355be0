package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The event-stream client on Netty's HTTP codec, without a server: the request it sends, and a
 * chunked response whose events are cut across chunks and socket reads.
 */
class SseClientHandlerTest {

  private static final String HEAD =
      "HTTP/1.1 200 OK\r\n"
          + "Content-Type: text/event-stream; charset=utf-8\r\n"
          + "Cache-Control: no-store\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n";

  /** A sink that keeps each message as text and the close code. */
  private static final class Messages implements MessageSink {
    final List<String> texts = new ArrayList<>();
    int closed = -1;

    @Override
    public void onMessage(ByteBuf in, int at, int length, long receivedNanos) {
      assertThat(receivedNanos).isPositive();
      texts.add(in.toString(at, length, StandardCharsets.UTF_8));
    }

    @Override
    public void onClosed(int code) {
      closed = code;
    }
  }

  private Messages sink;
  private ChannelPromise opened;
  private SseClientHandler handler;

  private EmbeddedChannel channel() {
    sink = new Messages();
    return new EmbeddedChannel(
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            opened = ch.newPromise();
            SseClientHandler.install(
                ch, URI.create("http://127.0.0.1:8080/sse?room=a"), sink, opened);
            handler = ch.pipeline().get(SseClientHandler.class);
          }
        });
  }

  private static String chunk(String data) {
    return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length)
        + "\r\n"
        + data
        + "\r\n";
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  @Test
  void sendsTheGet_thenReadsEventsCutAcrossChunksAndReads() {
    EmbeddedChannel ch = channel();

    ByteBuf request = ch.readOutbound();
    String sent = request.toString(StandardCharsets.US_ASCII);
    request.release();
    assertThat(sent)
        .startsWith("GET /sse?room=a HTTP/1.1\r\n")
        .contains("host: 127.0.0.1:8080\r\n")
        .contains("accept: text/event-stream\r\n");

    // The server's chunks: one event per chunk, but the second event's chunk cut in two, and a
    // chunk that ends inside a line.
    String wire =
        HEAD
            + chunk("event: hubcast-open\ndata: tok123\n\n")
            + chunk("data: first message\n\n")
            + chunk("data: sec")
            + chunk("ond message\n")
            + chunk("\n")
            + chunk(":\n")
            + chunk("id: bench.3\ndata: third\n\n")
            + chunk("event: hubcast-close\ndata: 1001 going away\n\n")
            + "0\r\n\r\n";
    // ... and the bytes arrive in reads of 7, which cut chunk headers and lines anywhere.
    for (int i = 0; i < wire.length(); i += 7) {
      ch.writeInbound(ascii(wire.substring(i, Math.min(wire.length(), i + 7))));
    }

    assertThat(opened.isSuccess()).isTrue();
    assertThat(handler.token()).isEqualTo("tok123");
    assertThat(sink.texts).containsExactly("first message", "second message", "third");
    // The response ended: the client closes, with the code of the close event.
    assertThat(ch.isOpen()).isFalse();
    assertThat(sink.closed).isEqualTo(1001);
  }

  @Test
  void aRefusal_failsTheOpen_andCloses() {
    EmbeddedChannel ch = channel();
    ((ByteBuf) ch.readOutbound()).release();

    ch.writeInbound(
        ascii(
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nno\r\n"));

    assertThat(opened.isDone()).isTrue();
    assertThat(opened.cause()).hasMessageContaining("403");
    assertThat(ch.isOpen()).isFalse();
    assertThat(sink.closed).isEqualTo(1006);
  }
}
