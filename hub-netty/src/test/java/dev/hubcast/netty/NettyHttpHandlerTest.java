package dev.hubcast.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestClient;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.Socket;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link NettyHubServer.Builder#httpHandler}: the requests that are not the hub's upgrade. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyHttpHandlerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private NettyHubServer serve(NettyHubServer.Builder builder) {
    NettyHubServer server = builder.host("127.0.0.1").port(0).path("/ws").start();
    resources.add(server);
    return server;
  }

  private Hub<String> hub() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).build());
    resources.add(() -> hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS));
    return hub;
  }

  private HttpResponse<String> get(NettyHubServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void httpHandler_answersTheOtherRequests_whileThePathStillUpgrades() throws Exception {
    Hub<String> hub = hub();
    AtomicInteger made = new AtomicInteger();
    NettyHubServer server =
        serve(
            NettyHubServer.builder(hub)
                .httpHandler(
                    () -> {
                      made.incrementAndGet();
                      return new Echo();
                    }));

    String health = rawGet(server, "/health?deep=1");
    String post = rawGet(server, "/ws/other");
    HttpResponse<String> ws = get(server, "/ws");
    TestClient client =
        JdkWebSocketClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), Map.of());
    resources.add(client);

    assertThat(health).startsWith("HTTP/1.1 200").endsWith("GET /health?deep=1\n");
    assertThat(post).startsWith("HTTP/1.1 200").endsWith("GET /ws/other\n");
    assertThat(ws.statusCode()).as("a plain GET on the hub's path").isEqualTo(426);
    await("the WebSocket to be a hub client")
        .atMost(WAIT)
        .until(() -> hub.metrics().connections() == 1);
    client.sendText("hello"); // the handler is left behind: the upgraded connection still works
    assertThat(client.awaitText(WAIT)).isEqualTo("hello");
    assertThat(made.get()).as("handlers made: one per TCP connection").isGreaterThanOrEqualTo(3);
  }

  /** One GET on its own TCP connection; the whole response as text. */
  private static String rawGet(NettyHubServer server, String target) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void withoutHttpHandler_everyOtherRequestIs404() throws Exception {
    NettyHubServer server = serve(NettyHubServer.builder(hub()));

    HttpResponse<String> page = get(server, "/");
    HttpResponse<String> file = get(server, "/index.html");

    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(file.statusCode()).isEqualTo(404);
    assertThat(page.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
  }

  @Test
  void httpHandler_suppliedNull_dropsTheConnection() throws Exception {
    NettyHubServer server = serve(NettyHubServer.builder(hub()).httpHandler(() -> null));

    String answer;
    try {
      answer = rawGet(server, "/");
    } catch (IOException reset) {
      answer = "";
    }
    assertThat(answer).as("no answer: the connection is closed").isEmpty();
  }

  @Test
  void httpHandler_null_isRefused() {
    NettyHubServer.Builder builder = NettyHubServer.builder(hub());

    assertThatThrownBy(() -> builder.httpHandler(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("handlers");
  }

  /** Answers each request with its method and target. */
  @ChannelHandler.Sharable
  private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.OK,
              ByteBufUtil.writeUtf8(ctx.alloc(), request.method() + " " + request.uri() + "\n"));
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      if (HttpUtil.isKeepAlive(request)) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
