package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat over its event streams ({@code /sse} on Netty, the page's fallback), with real JDK
 * clients: a WebSocket client and an event-stream client chat in one room with the same JSON
 * messages; a stream that reconnects with {@code Last-Event-ID}, as {@code EventSource} does by
 * itself, is resumed from it and gets exactly what it missed, even though its URL names another,
 * older place; a {@code Last-Event-ID} that is no room of the chat is ignored. Jetty has no {@code
 * /sse}, and says so with 404.
 */
@Timeout(30)
class ChatOverSseTest {

  private final List<AutoCloseable> open = new ArrayList<>();
  private ChatServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = start(ChatOptions.Transport.NETTY);
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private ChatServer start(ChatOptions.Transport transport) throws Exception {
    ChatServer started = ChatServer.start(new ChatOptions(transport, "127.0.0.1", 0, 50));
    open.add(0, started); // closed after its clients
    return started;
  }

  private ChatClient enterOverWebSocket(String name) throws Exception {
    ChatClient client = ChatClient.enter(server.port(), name);
    open.add(client);
    return client;
  }

  private SseChatClient connectOverSse(String name, String moreQuery, String lastEventId)
      throws Exception {
    SseChatClient client = SseChatClient.connect(server.port(), name, moreQuery, lastEventId);
    open.add(client);
    return client;
  }

  /** The text form of a room mark, as the stream's event ids carry it. */
  private static String mark(JsonNode positioned, String room) {
    return positioned.get("epoch").asText() + ":" + positioned.get("seq").asLong() + ":" + room;
  }

  private static void posted(CompletableFuture<Integer> post) throws Exception {
    assertThat(post.get()).as("the POST's status").isEqualTo(204);
  }

  @Test
  void aWebSocketClientAndAnSseClient_chatInOneRoom_withTheSameMessages() throws Exception {
    ChatClient bob = enterOverWebSocket("bob");
    SseChatClient alice = connectOverSse("alice", null, null);
    JsonNode welcome = alice.next();
    assertThat(welcome.get("type").asText()).isEqualTo("welcome");
    assertThat(welcome.get("name").asText()).isEqualTo("alice");
    assertThat(welcome.get("room").asText()).isEqualTo("lobby");
    SseChatClient.Identified lobby = alice.nextWithId("history");
    assertThat(lobby.id()).isEqualTo(mark(lobby.message(), "lobby"));
    assertThat(server.hub().connectionsOf("alice"))
        .singleElement()
        .satisfies(c -> assertThat(c.handshake().path()).isEqualTo("/sse"));

    // Both go to #dev: alice with a POST, bob over his WebSocket.
    posted(alice.send("type", "join", "room", "dev"));
    SseChatClient.Identified dev = alice.nextWithId("history");
    assertThat(dev.message().get("room").asText()).isEqualTo("dev");
    assertThat(dev.id()).isEqualTo(mark(dev.message(), "dev"));
    bob.send("type", "join", "room", "dev");
    bob.next("history");

    posted(alice.say("Hello from an event stream."));
    JsonNode bobSaw = bob.next("message");
    SseChatClient.Identified aliceSaw = alice.nextWithId("message");
    assertThat(bobSaw.get("text").asText()).isEqualTo("Hello from an event stream.");
    assertThat(bobSaw.get("from").asText()).isEqualTo("alice");
    assertThat(aliceSaw.message()).isEqualTo(bobSaw); // the same JSON on both transports
    assertThat(aliceSaw.id()).isEqualTo(mark(bobSaw, "dev"));

    bob.say("Hello from a WebSocket.");
    JsonNode bobsOwn = bob.next("message");
    SseChatClient.Identified fromBob = alice.nextWithId("message");
    assertThat(fromBob.message()).isEqualTo(bobsOwn);
    assertThat(fromBob.message().get("from").asText()).isEqualTo("bob");
    assertThat(fromBob.id()).isEqualTo(mark(bobsOwn, "dev"));

    // POSTs one after the other keep their order, as a WebSocket's frames do.
    List<CompletableFuture<Integer>> posts = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      posts.add(alice.say("n" + i));
    }
    for (CompletableFuture<Integer> post : posts) {
      posted(post);
    }
    for (int i = 1; i <= 20; i++) {
      assertThat(bob.next("message").get("text").asText()).isEqualTo("n" + i);
      assertThat(alice.next("message").get("text").asText()).isEqualTo("n" + i);
    }

    // Private messages both ways.
    bob.send("type", "dm", "to", "alice", "text", "psst");
    assertThat(alice.next("dm").get("text").asText()).isEqualTo("psst");
    posted(alice.send("type", "dm", "to", "bob", "text", "psst yourself"));
    assertThat(bob.next("dm").get("text").asText()).isEqualTo("psst");
    assertThat(bob.next("dm").get("text").asText()).isEqualTo("psst yourself");
  }

  @Test
  void anSseClientReconnectingWithLastEventId_getsExactlyWhatItMissed() throws Exception {
    ChatClient bob = enterOverWebSocket("bob");
    bob.send("type", "join", "room", "dev");
    bob.next("history");
    SseChatClient alice = connectOverSse("alice", null, null);
    alice.next("welcome");
    JsonNode lobby = alice.next("history");
    posted(alice.send("type", "join", "room", "dev"));
    alice.next("history");
    for (String text : List.of("m1", "m2")) {
      bob.say(text);
      assertThat(bob.next("message").get("text").asText()).isEqualTo(text);
      assertThat(alice.next("message").get("text").asText()).isEqualTo(text);
    }
    String lastEventId = alice.lastEventId();
    assertThat(lastEventId).endsWith(":2:dev");
    alice.close();

    for (String text : List.of("m3", "m4", "m5")) {
      bob.say(text);
      assertThat(bob.next("message").get("text").asText()).isEqualTo(text);
    }

    // EventSource reconnects to the URL it was made with, which named the lobby at an old
    // position; Last-Event-ID says where alice really is: #dev after m2. The mark wins.
    SseChatClient again =
        connectOverSse(
            "alice",
            "room=lobby&epoch=" + lobby.get("epoch").asText() + "&seq=" + lobby.get("seq"),
            lastEventId);
    assertThat(again.next().get("room").asText()).isEqualTo("dev"); // welcome
    SseChatClient.Identified history = again.nextWithId("history");
    assertThat(history.message().get("room").asText()).isEqualTo("dev");
    assertThat(history.message().get("recovered").asBoolean()).isTrue();
    assertThat(history.message().get("seq").asLong()).isEqualTo(5);
    assertThat(history.message().get("messages"))
        .extracting(m -> m.get("text").asText())
        .containsExactly("m3", "m4", "m5");
    assertThat(history.id()).isEqualTo(mark(history.message(), "dev"));

    bob.say("m6");
    assertThat(again.next("message").get("text").asText()).isEqualTo("m6");
  }

  @Test
  void aLastEventIdBeyondTheRoom_isTheSameErrorAsSuchAPositionInTheUrl() throws Exception {
    ChatClient bob = enterOverWebSocket("bob"); // keeps #dev there while alice is away
    bob.send("type", "join", "room", "dev");
    JsonNode dev = bob.next("history");

    SseChatClient again = connectOverSse("alice", null, dev.get("epoch").asText() + ":900:dev");
    assertThat(again.next().get("room").asText()).isEqualTo("dev");
    assertThat(again.next("history").has("recovered")).isFalse();
    JsonNode error = again.next("error");
    assertThat(error.get("code").asText()).isEqualTo("bad-request");
    assertThat(error.get("message").asText()).startsWith("connect: ").contains("900");
  }

  @Test
  void aLastEventIdThatIsNoRoomOfTheChat_isIgnored() throws Exception {
    SseChatClient first = connectOverSse("alice", null, null);
    first.next("welcome");
    String epoch = first.next("history").get("epoch").asText();
    first.close();

    for (String notOurs :
        List.of(
            epoch + ":0:" + URLEncoder.encode(ChatHandler.PEOPLE, StandardCharsets.UTF_8),
            epoch + ":0:two%20words",
            epoch + ":0:" + "x".repeat(33),
            "not a mark")) {
      SseChatClient alice = connectOverSse("alice", "room=dev", notOurs);
      assertThat(alice.next().get("room").asText()).as("room with %s", notOurs).isEqualTo("dev");
      JsonNode history = alice.next("history");
      assertThat(history.get("room").asText()).isEqualTo("dev");
      assertThat(history.has("recovered")).as("resumed with %s", notOurs).isFalse();
      alice.close();
    }
  }

  @Test
  void onJetty_thereIsNoSse_only404s_whichThePageTellsFromNettysAnswer() throws Exception {
    ChatServer jetty = start(ChatOptions.Transport.JETTY);
    HttpClient http = HttpClient.newHttpClient();
    URI onJetty = URI.create("http://127.0.0.1:" + jetty.port() + "/sse");
    URI onNetty = URI.create("http://127.0.0.1:" + server.port() + "/sse");

    assertThat(status(http, HttpRequest.newBuilder(URI.create(onJetty + "?name=ada")).GET()))
        .isEqualTo(404);
    // The page asks HEAD /sse after an event stream that did not open: 404 means there is none.
    assertThat(
            status(
                http,
                HttpRequest.newBuilder(onJetty)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())))
        .isEqualTo(404);
    assertThat(
            status(
                http,
                HttpRequest.newBuilder(onNetty)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())))
        .isNotEqualTo(404);
    assertThat(jetty.hub().connectionCount()).isZero();
    assertThat(server.hub().connectionCount()).isZero();
  }

  private static int status(HttpClient http, HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
