package dev.hubcast.sse;

import dev.hubcast.core.Hub;
import dev.hubcast.netty.NettyHubServer;
import dev.hubcast.testkit.TestClient;
import dev.hubcast.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;

/**
 * A hub served as event streams at {@code /sse} on a {@link NettyHubServer} on {@code 127.0.0.1}
 * and an ephemeral port, as the kits see it. Thread-safe.
 */
final class SseTestServer implements TestServer {

  private final NettyHubServer server;
  private final HubEventStream sse;
  private final URI stream;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(SseTestClient.CONNECT_TIMEOUT)
          .build();

  private SseTestServer(NettyHubServer server, HubEventStream sse) {
    this.server = server;
    this.sse = sse;
    this.stream = URI.create("http://127.0.0.1:" + server.port() + sse.path());
  }

  static SseTestServer start(Hub<?> hub) {
    HubEventStream sse = HubEventStream.create(hub, "/sse");
    NettyHubServer server =
        NettyHubServer.builder(hub)
            .host("127.0.0.1")
            .port(0)
            .ioThreads(2)
            .streamingHttpHandler(sse::newHandler)
            .start();
    return new SseTestServer(server, sse);
  }

  HubEventStream eventStream() {
    return sse;
  }

  URI streamUri() {
    return stream;
  }

  NettyHubServer netty() {
    return server;
  }

  @Override
  public TestClient connect(String query, Map<String, String> headers) throws Exception {
    return SseTestClient.connect(http, SseTestClient.streamUri(stream, query), headers);
  }

  /** An event stream cannot carry a client's close code: the client just drops the stream. */
  @Override
  public boolean clientsSendCloseCodes() {
    return false;
  }

  /** A POST carries any bytes as text/plain. */
  @Override
  public boolean clientsSendRawText() {
    return true;
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "SseTestServer[" + stream + "]";
  }
}
