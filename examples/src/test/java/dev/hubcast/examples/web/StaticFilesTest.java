package dev.hubcast.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.netty.NettyHubServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat page's files, served by {@link StaticFiles} behind a real {@link NettyHubServer}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StaticFilesTest {

  private static Hub<String> hub;
  private static NettyHubServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void serve() {
    hub = Hub.create(HubConfig.textBuilder().build());
    StaticFiles files = new StaticFiles("/public", StaticFilesTest.class.getClassLoader());
    server =
        NettyHubServer.builder(hub)
            .host("127.0.0.1")
            .port(0)
            .path("/ws")
            .httpHandler(() -> files)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    server.close();
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status line of a request sent byte for byte as written (no client normalises it). */
  private static String statusOf(String target) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return response.lines().findFirst().orElse("");
    }
  }

  @Test
  void root_servesIndexHtml_asUtf8Html() throws Exception {
    HttpResponse<String> page = send("GET", "/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Hubcast chat</title>");
    assertThat(page.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("cache-control")).contains("no-cache");
  }

  @Test
  void scriptAndStyle_haveTheirTypes() throws Exception {
    HttpResponse<String> script = send("GET", "/chat.js?v=1");
    HttpResponse<String> style = send("GET", "/chat.css");

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type"))
        .contains("text/javascript; charset=utf-8");
    assertThat(style.headers().firstValue("content-type")).contains("text/css; charset=utf-8");
  }

  @Test
  void head_hasTheLengthButNoBody() throws Exception {
    HttpResponse<String> get = send("GET", "/index.html");
    HttpResponse<String> head = send("HEAD", "/index.html");

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValueAsLong("content-length"))
        .hasValue(get.body().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void otherMethods_are405_missingFiles_404() throws Exception {
    assertThat(send("POST", "/").statusCode()).isEqualTo(405);
    assertThat(send("GET", "/nope.js").statusCode()).isEqualTo(404);
  }

  @Test
  void pathsThatClimbOutOfTheFolder_areNotFound() throws Exception {
    // simplelogger.properties is on the classpath, one level above /public
    assertThat(StaticFilesTest.class.getClassLoader().getResource("simplelogger.properties"))
        .isNotNull();

    assertThat(statusOf("/../simplelogger.properties")).contains(" 404 ");
    assertThat(statusOf("/%2e%2e/simplelogger.properties")).contains(" 404 ");
    assertThat(statusOf("/..%2fsimplelogger.properties")).contains(" 404 ");
    assertThat(statusOf("/x/../../simplelogger.properties")).contains(" 404 ");
    assertThat(statusOf("/..%5csimplelogger.properties")).contains(" 404 ");
    assertThat(statusOf("/%zz")).contains(" 400 ");
  }

  @Test
  void dotSegmentsInside_areResolved() throws Exception {
    assertThat(statusOf("/x/../chat.js")).contains(" 200 ");
    assertThat(statusOf("/./index.html")).contains(" 200 ");
  }

  @Test
  void resourceName_normalisesSegmentBySegment() {
    assertThat(StaticFiles.resourceName("/")).isEqualTo("index.html");
    assertThat(StaticFiles.resourceName("/a/b/")).isEqualTo("a/b/index.html");
    assertThat(StaticFiles.resourceName("/a//b/./c.js")).isEqualTo("a/b/c.js");
    assertThat(StaticFiles.resourceName("/a/b/../c.js")).isEqualTo("a/c.js");
    assertThat(StaticFiles.resourceName("/a/..")).isEqualTo("index.html");
    assertThat(StaticFiles.resourceName("/..")).isNull();
    assertThat(StaticFiles.resourceName("/a/../../b")).isNull();
    assertThat(StaticFiles.resourceName("/a\\b")).isNull();
    assertThat(StaticFiles.resourceName("/a\0b")).isNull();
  }

  @Test
  void typeOf_usesTheJdksTable() {
    assertThat(StaticFiles.typeOf("a.html")).isEqualTo("text/html; charset=utf-8");
    assertThat(StaticFiles.typeOf("a.png")).isEqualTo("image/png");
    assertThat(StaticFiles.typeOf("a.unknown")).isEqualTo("application/octet-stream");
  }
}
