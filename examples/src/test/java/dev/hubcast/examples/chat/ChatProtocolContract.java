package dev.hubcast.examples.chat;

import static dev.hubcast.examples.chat.ChatClient.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubcast.testkit.HandshakeRefusedException;
import dev.hubcast.testkit.JdkWebSocketClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat protocol of {@code docs/chat-protocol.md}, end to end: a real server on 127.0.0.1, real
 * JDK WebSocket clients. Each transport runs it unchanged by naming itself in {@link #transport()}.
 */
@Timeout(30)
abstract class ChatProtocolContract {

  private final List<AutoCloseable> open = new ArrayList<>();
  private ChatServer server;

  /** The transport under test. */
  protected abstract ChatOptions.Transport transport();

  @BeforeEach
  void startServer() throws Exception {
    server = start(50);
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private ChatServer start(int history) throws Exception {
    ChatServer started = ChatServer.start(new ChatOptions(transport(), "127.0.0.1", 0, history));
    open.add(0, started); // closed after its clients
    return started;
  }

  private ChatClient enter(String name) throws Exception {
    return enter(server, name);
  }

  private ChatClient enter(ChatServer on, String name) throws Exception {
    ChatClient client = ChatClient.enter(on.port(), name);
    open.add(client);
    return client;
  }

  /** {@code client} says {@code marker} and {@code observer} gets it as its very next event. */
  private static void assertNextEventIs(ChatClient observer, ChatClient client, String marker) {
    client.say(marker);
    if (observer != client) {
      assertThat(client.nextEvent().get("text").asText()).isEqualTo(marker);
    }
    JsonNode seen = observer.nextEvent();
    assertThat(seen.get("type").asText()).as("what %s saw next", observer).isEqualTo("message");
    assertThat(seen.get("text").asText()).isEqualTo(marker);
  }

  @Nested
  @DisplayName("connecting")
  class Connecting {

    @Test
    @DisplayName("a missing or malformed name is refused with 400 before the upgrade")
    void badName_isRefusedWith400() {
      List<String> queries =
          List.of(
              "",
              "name=",
              "other=ada",
              "name=a%20b",
              "name=" + "x".repeat(33),
              "name=%C3%BCmit",
              "name=a.b",
              "name=%3Cscript%3E");
      for (String query : queries) {
        assertThatThrownBy(
                () -> JdkWebSocketClient.connect(ChatClient.uri(server.port(), query), Map.of()))
            .as("query %s", query)
            .isInstanceOfSatisfying(
                HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(400));
      }
    }

    @Test
    @DisplayName("names of 1-32 letters, digits, _ and - are taken")
    void goodNames_areTaken() throws Exception {
      for (String name : List.of("a", "Ada_Lovelace-1815", "x".repeat(32))) {
        try (ChatClient client = ChatClient.connect(server.port(), name)) {
          JsonNode welcome = client.next();
          assertThat(welcome.get("type").asText()).isEqualTo("welcome");
          assertThat(welcome.get("name").asText()).isEqualTo(name);
        }
      }
    }

    @Test
    @DisplayName("welcome, then the lobby's history, then presence to every member")
    void opening_isWelcomeHistoryPresence() throws Exception {
      ChatClient alice = ChatClient.connect(server.port(), "alice");
      open.add(alice);
      JsonNode welcome = alice.next();
      assertThat(welcome.get("type").asText()).isEqualTo("welcome");
      assertThat(welcome.get("name").asText()).isEqualTo("alice");
      assertThat(welcome.get("room").asText()).isEqualTo("lobby");
      assertThat(texts(welcome.get("rooms"))).containsExactly("lobby");
      JsonNode history = alice.next();
      assertThat(history.get("type").asText()).isEqualTo("history");
      assertThat(history.get("room").asText()).isEqualTo("lobby");
      assertThat(history.get("messages").isArray()).isTrue();
      assertThat(history.get("messages")).isEmpty();
      JsonNode presence = alice.next("presence"); // rooms and people may come first
      assertThat(presence.get("type").asText()).isEqualTo("presence");
      assertThat(presence.get("room").asText()).isEqualTo("lobby");
      assertThat(texts(presence.get("members"))).containsExactly("alice");

      ChatClient bob = ChatClient.connect(server.port(), "bob");
      open.add(bob);
      assertThat(bob.next().get("type").asText()).isEqualTo("welcome");
      assertThat(bob.next().get("type").asText()).isEqualTo("history");
      assertThat(texts(bob.next("presence").get("members"))).containsExactly("alice", "bob");
      assertThat(texts(alice.nextPresence("lobby").get("members"))).containsExactly("alice", "bob");
    }

    @Test
    @DisplayName("welcome lists the rooms that exist")
    void welcome_listsRooms() throws Exception {
      ChatClient alice = enter("alice");
      alice.send("type", "join", "room", "dev");
      alice.next("history");
      ChatClient bob = ChatClient.connect(server.port(), "bob");
      open.add(bob);
      assertThat(texts(bob.next().get("rooms"))).containsExactly("dev", "lobby");
    }

    /**
     * A tab that closes while another opens, on two I/O threads: the closing one announces the
     * rooms, reading the hub's rooms with history (which takes each room's lock), while the opening
     * one is greeted inside its room's lock. Once, the first held the handler's rooms lock while it
     * waited for the room, and the second held the room while it waited for the rooms lock: both
     * threads, and every connection on them, stalled for good.
     */
    @Test
    @DisplayName("tabs opening while others close, hundreds of times, never stall the server")
    void openingWhileOthersClose_neverStalls() throws Exception {
      ChatClient keeper = enter("keeper"); // #dev has history and a member throughout
      keeper.send("type", "join", "room", "dev");
      keeper.next("history");
      keeper.say("kept");
      keeper.next("message");
      ChatClient previous = null;
      for (int i = 0; i < 300; i++) {
        ChatClient tab =
            ChatClient.connect(server.port(), "tab", "room=" + (i % 2 == 0 ? "dev" : "lobby"));
        if (previous != null) {
          previous.ws.abort();
        }
        assertThat(tab.next().get("type").asText())
            .as("tab %d's first message", i)
            .isEqualTo("welcome");
        previous = tab;
      }
      previous.ws.abort();
      assertNextEventIs(keeper, keeper, "still answering");
    }

    @Test
    @DisplayName("several connections with one name are one user, listed once")
    void sameName_isOneUser() throws Exception {
      ChatClient tab1 = enter("alice");
      ChatClient tab2 = enter("alice"); // alice is here already: no one is told
      ChatClient bob = enter("bob");
      assertThat(texts(tab1.nextPresence("lobby").get("members"))).containsExactly("alice", "bob");
      assertThat(texts(tab2.nextPresence("lobby").get("members"))).containsExactly("alice", "bob");

      bob.send("type", "dm", "to", "alice", "text", "to both tabs");
      for (ChatClient c : List.of(tab1, tab2, bob)) {
        JsonNode dm = c.next("dm");
        assertThat(dm.get("from").asText()).isEqualTo("bob");
        assertThat(dm.get("to").asText()).isEqualTo("alice");
        assertThat(dm.get("text").asText()).isEqualTo("to both tabs");
      }
    }
  }

  @Nested
  @DisplayName("the page")
  class ThePage {

    @Test
    @DisplayName("is served at / with its stylesheet and script")
    void page_isServedAtTheRoot() throws Exception {
      HttpClient http = HttpClient.newHttpClient();
      Map<String, String> expected =
          Map.of("/", "text/html", "/chat.css", "text/css", "/chat.js", "javascript");
      for (Map.Entry<String, String> e : expected.entrySet()) {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + e.getKey());
        HttpResponse<String> response =
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", e.getKey()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
            .as("type of %s", e.getKey())
            .hasValueSatisfying(type -> assertThat(type).contains(e.getValue()));
        assertThat(response.body()).isNotBlank();
      }
    }
  }

  @Nested
  @DisplayName("saying")
  class Saying {

    @Test
    @DisplayName("everyone in the room gets it, sender included, signed by the server")
    void say_reachesTheRoom_senderIncluded() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      alice.send("type", "say", "text", "hello", "from", "mallory", "seq", 99, "room", "x");
      for (ChatClient c : List.of(alice, bob)) {
        JsonNode m = c.next("message");
        assertThat(m.get("room").asText()).isEqualTo("lobby");
        assertThat(m.get("from").asText()).isEqualTo("alice");
        assertThat(m.get("text").asText()).isEqualTo("hello");
        assertThat(m.get("seq").asLong()).isEqualTo(1);
        Instant ts = Instant.parse(m.get("ts").asText());
        assertThat(ts).isBetween(before, Instant.now());
      }
      bob.say("hi alice");
      assertThat(alice.next("message").get("seq").asLong()).isEqualTo(2);
      assertThat(bob.next("message").get("seq").asLong()).isEqualTo(2);
    }

    @Test
    @DisplayName("other rooms do not get it, and each room numbers its own messages")
    void say_staysInItsRoom_seqPerRoom() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient carol = enter("carol");
      carol.send("type", "join", "room", "dev");
      carol.next("history");
      alice.say("lobby one");
      alice.say("lobby two");
      assertThat(alice.next("message").get("seq").asLong()).isEqualTo(1);
      assertThat(alice.next("message").get("seq").asLong()).isEqualTo(2);

      carol.say("dev one");
      JsonNode m = carol.nextEvent();
      assertThat(m.get("text").asText()).isEqualTo("dev one");
      assertThat(m.get("room").asText()).isEqualTo("dev");
      assertThat(m.get("seq").asLong()).isEqualTo(1);
      assertNextEventIs(alice, alice, "lobby three");
    }

    @Test
    @DisplayName("a newcomer gets the room's last N messages, oldest first")
    void history_isTheLastN_oldestFirst() throws Exception {
      ChatServer small = start(3);
      ChatClient alice = enter(small, "alice");
      for (int i = 1; i <= 5; i++) {
        alice.say("m" + i);
        alice.next("message");
      }
      ChatClient bob = ChatClient.connect(small.port(), "bob");
      open.add(bob);
      bob.next(); // welcome
      JsonNode history = bob.next();
      assertThat(history.get("type").asText()).isEqualTo("history");
      JsonNode messages = history.get("messages");
      assertThat(messages).hasSize(3);
      for (int i = 0; i < 3; i++) {
        JsonNode m = messages.get(i);
        assertThat(m.get("type").asText()).isEqualTo("message");
        assertThat(m.get("room").asText()).isEqualTo("lobby");
        assertThat(m.get("from").asText()).isEqualTo("alice");
        assertThat(m.get("text").asText()).isEqualTo("m" + (i + 3));
        assertThat(m.get("seq").asLong()).isEqualTo(i + 3);
        assertThat(Instant.parse(m.get("ts").asText()))
            .isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
      }
    }

    @Test
    @DisplayName("2,000 characters go through, emoji counted as one each")
    void text_of2000Characters_isTaken() throws Exception {
      ChatClient alice = enter("alice");
      String ascii = "a".repeat(2000);
      alice.say(ascii);
      assertThat(alice.next("message").get("text").asText()).isEqualTo(ascii);
      String emoji = "\uD83D\uDE00".repeat(2000);
      alice.say(emoji);
      assertThat(alice.next("message").get("text").asText()).isEqualTo(emoji);
    }
  }

  @Nested
  @DisplayName("joining")
  class Joining {

    @Test
    @DisplayName("moves the connection, sends the new room's history, and presence to both rooms")
    void join_movesAndTellsBothRooms() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      ChatClient dora = enter("dora");
      dora.send("type", "join", "room", "dev");
      dora.next("history");
      assertThat(texts(dora.nextPresence("dev").get("members"))).containsExactly("dora");
      dora.say("before alice");
      dora.next("message");

      alice.say("in the lobby");
      alice.next("message");
      bob.next("message");

      alice.send("type", "join", "room", "dev");
      JsonNode history = alice.next("history");
      assertThat(history.get("room").asText()).isEqualTo("dev");
      assertThat(history.get("messages")).hasSize(1);
      assertThat(history.get("messages").get(0).get("text").asText()).isEqualTo("before alice");
      assertThat(texts(alice.nextPresence("dev").get("members"))).containsExactly("alice", "dora");
      assertThat(texts(dora.nextPresence("dev").get("members"))).containsExactly("alice", "dora");
      assertThat(texts(bob.nextPresence("lobby").get("members"))).containsExactly("bob");

      alice.say("in dev");
      assertThat(alice.nextEvent().get("room").asText()).isEqualTo("dev");
      assertThat(dora.nextEvent().get("text").asText()).isEqualTo("in dev");
      assertNextEventIs(bob, bob, "bob still in the lobby");

      alice.send("type", "join", "room", "lobby");
      JsonNode back = alice.next("history");
      assertThat(back.get("room").asText()).isEqualTo("lobby");
      assertThat(back.get("messages"))
          .extracting(m -> m.get("text").asText())
          .containsExactly("in the lobby", "bob still in the lobby");
      assertThat(texts(dora.nextPresence("dev").get("members"))).containsExactly("dora");
    }

    @Test
    @DisplayName("a new room is created on first use and announced to everyone")
    void join_createsTheRoom() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      alice.send("type", "join", "room", "new-room_1");
      assertThat(alice.next("history").get("messages")).isEmpty();
      JsonNode rooms = bob.next("rooms");
      assertThat(texts(rooms.get("rooms"))).containsExactly("lobby", "new-room_1");
    }

    @Test
    @DisplayName("a malformed room name is a bad request and changes nothing")
    void join_badRoom_isBadRequest() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      for (String room : List.of("", "a b", "x".repeat(33), "caf\u00e9")) {
        alice.send("type", "join", "room", room);
        JsonNode error = alice.nextEvent();
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("code").asText()).isEqualTo("bad-request");
      }
      assertNextEventIs(bob, alice, "still in the lobby");
    }
  }

  @Nested
  @DisplayName("private messages")
  class PrivateMessages {

    @Test
    @DisplayName("reach every connection of the recipient and of the sender, and no one else")
    void dm_reachesBothUsersEveryTab() throws Exception {
      ChatClient alice1 = enter("alice");
      ChatClient alice2 = enter("alice");
      ChatClient bob1 = enter("bob");
      ChatClient bob2 = enter("bob");
      ChatClient carol = enter("carol");
      Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      alice1.send("type", "dm", "to", "bob", "text", "psst", "from", "mallory");
      for (ChatClient c : List.of(alice1, alice2, bob1, bob2)) {
        JsonNode dm = c.next("dm");
        assertThat(dm.get("from").asText()).as("to %s", c).isEqualTo("alice");
        assertThat(dm.get("to").asText()).isEqualTo("bob");
        assertThat(dm.get("text").asText()).isEqualTo("psst");
        assertThat(Instant.parse(dm.get("ts").asText())).isBetween(before, Instant.now());
      }
      assertNextEventIs(carol, bob1, "nothing private for carol");
    }

    @Test
    @DisplayName("to an unknown or absent user: unknown-user, to the sender only")
    void dm_toUnknownUser_isAnErrorToTheSender() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      ChatClient gone = enter("gone");
      List<String> members;
      do { // alice's queue may still hold older presences: first the one that has "gone" in it
        members = texts(alice.nextPresence("lobby").get("members"));
      } while (!members.contains("gone"));
      gone.close();
      do { // the server has forgotten "gone" once a later presence leaves it out
        members = texts(alice.nextPresence("lobby").get("members"));
      } while (members.contains("gone"));
      for (String to : List.of("ghost", "gone", "not a name")) {
        alice.send("type", "dm", "to", to, "text", "anyone?");
        JsonNode error = alice.nextEvent();
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("code").asText()).as("dm to %s", to).isEqualTo("unknown-user");
        assertThat(error.get("message").asText()).isNotBlank();
      }
      assertNextEventIs(bob, alice, "after the errors");
    }
  }

  @Nested
  @DisplayName("bad input")
  class BadInput {

    @Test
    @DisplayName("bad JSON, unknown types, missing fields: bad-request, and the connection stays")
    void badRequests_areAnsweredAndChangeNothing() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      List<String> inputs =
          List.of(
              "not json",
              "{\"type\":\"say\",\"text\":\"unterminated",
              "{\"type\":\"say\",\"text\":\"x\"} trailing",
              "[1,2]",
              "42",
              "null",
              "{}",
              "{\"text\":\"no type\"}",
              "{\"type\":\"shout\",\"text\":\"hey\"}",
              "{\"type\":7}",
              "{\"type\":\"say\"}",
              "{\"type\":\"say\",\"text\":null}",
              "{\"type\":\"say\",\"text\":5}",
              "{\"type\":\"say\",\"text\":{\"a\":1}}",
              "{\"type\":\"say\",\"text\":\"   \"}",
              "{\"type\":\"join\"}",
              "{\"type\":\"dm\",\"text\":\"to nobody\"}",
              "{\"type\":\"dm\",\"to\":\"bob\"}",
              "{\"type\":\"welcome\",\"name\":\"alice\",\"room\":\"lobby\",\"rooms\":[]}",
              "{\"type\":\"message\",\"room\":\"lobby\",\"from\":\"bob\",\"text\":\"forged\"}");
      for (String input : inputs) {
        alice.sendRaw(input);
        JsonNode error = alice.nextEvent();
        assertThat(error.get("type").asText()).as("answer to %s", input).isEqualTo("error");
        assertThat(error.get("code").asText()).as("code for %s", input).isEqualTo("bad-request");
        assertThat(error.get("message").asText()).as("message for %s", input).isNotBlank();
      }
      alice.ws.sendBinary("binary".getBytes(StandardCharsets.UTF_8));
      assertThat(alice.nextEvent().get("code").asText()).isEqualTo("bad-request");

      assertThat(alice.ws.isClosed()).isFalse();
      assertNextEventIs(bob, alice, "still here");
    }

    @Test
    @DisplayName("an array, or a type that is no string: the error says so, not \"unknown type\"")
    void noObjectOrNoStringType_isNamed() throws Exception {
      ChatClient alice = enter("alice");

      alice.sendRaw("[1,2,3]");
      JsonNode array = alice.nextEvent();
      alice.sendRaw("{\"type\":5}");
      JsonNode number = alice.nextEvent();

      assertThat(array.get("code").asText()).isEqualTo("bad-request");
      assertThat(array.get("message").asText()).isEqualTo("expected a JSON object with a \"type\"");
      assertThat(number.get("code").asText()).isEqualTo("bad-request");
      assertThat(number.get("message").asText())
          .isEqualTo("\"type\" must be a string (say, join or dm)");
      assertThat(alice.ws.isClosed()).isFalse();
    }

    @Test
    @DisplayName("text over 2,000 characters: too-long, for say and dm alike")
    void longText_isTooLong() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      String tooLong = "a".repeat(2001);
      alice.say(tooLong);
      JsonNode error = alice.nextEvent();
      assertThat(error.get("type").asText()).isEqualTo("error");
      assertThat(error.get("code").asText()).isEqualTo("too-long");
      alice.send("type", "dm", "to", "bob", "text", "\uD83D\uDE00".repeat(2001));
      assertThat(alice.nextEvent().get("code").asText()).isEqualTo("too-long");
      assertNextEventIs(bob, alice, "short enough");
    }
  }

  @Nested
  @DisplayName("leaving")
  class Leaving {

    @Test
    @DisplayName("a closed connection's room gets presence without it")
    void close_tellsTheRoom() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      alice.send("type", "join", "room", "dev");
      alice.next("history");
      assertThat(texts(alice.nextPresence("dev").get("members"))).containsExactly("alice");
      bob.send("type", "join", "room", "dev");
      assertThat(texts(alice.nextPresence("dev").get("members"))).containsExactly("alice", "bob");
      bob.close();
      assertThat(texts(alice.nextPresence("dev").get("members"))).containsExactly("alice");
    }

    @Test
    @DisplayName("a user with another tab open stays present; an abrupt drop counts as leaving")
    void close_ofOneTab_keepsTheUser() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob1 = enter("bob");
      ChatClient bob2 = enter("bob"); // bob is here already: no one is told
      assertThat(texts(alice.nextPresence("lobby").get("members"))).containsExactly("alice", "bob");
      bob1.ws.abort(); // one tab of two: bob stays, no one is told
      bob2.ws.abort();
      assertThat(texts(alice.nextPresence("lobby").get("members"))).containsExactly("alice");
    }
  }

  @Nested
  @DisplayName("resuming")
  class Resuming {

    private ChatClient connect(ChatServer on, String query) {
      ChatClient c = ChatClient.connect(on.port(), "carol", query);
      open.add(c);
      return c;
    }

    private static List<String> said(JsonNode history) {
      List<String> out = new ArrayList<>();
      history.get("messages").forEach(m -> out.add(m.get("text").asText()));
      return out;
    }

    /** Alice enters, says {@code n} things in the lobby and reads them; her last message. */
    private JsonNode sayAndRead(ChatClient alice, int from, int to) {
      JsonNode last = null;
      for (int i = from; i <= to; i++) {
        alice.say("m" + i);
        last = alice.next("message");
        assertThat(last.get("text").asText()).isEqualTo("m" + i);
      }
      return last;
    }

    @Test
    @DisplayName("every message carries its epoch, every history the room's position")
    void positions_areEverywhere() throws Exception {
      ChatClient first = ChatClient.connect(server.port(), "ada", null);
      open.add(first);
      first.next("welcome");
      JsonNode empty = first.next("history");
      assertThat(empty.get("seq").asLong()).isZero();
      assertThat(empty.get("epoch").asText()).isNotEmpty();
      assertThat(empty.has("recovered")).isFalse();
      first.say("hello");
      JsonNode m = first.next("message");
      assertThat(m.get("epoch").asText()).isEqualTo(empty.get("epoch").asText());
      assertThat(m.get("seq").asLong()).isEqualTo(1);
    }

    @Test
    @DisplayName("connecting with a position replays exactly what came after it, in that room")
    void connect_withAPosition_recovers() throws Exception {
      ChatClient alice = enter("alice");
      JsonNode seen = sayAndRead(alice, 1, 3);
      sayAndRead(alice, 4, 6); // carol is away

      ChatClient carol =
          connect(
              server,
              "room=lobby&epoch="
                  + seen.get("epoch").asText()
                  + "&seq="
                  + seen.get("seq").asLong());
      assertThat(carol.next().get("room").asText()).isEqualTo("lobby"); // welcome
      JsonNode history = carol.next("history");
      assertThat(history.get("recovered").asBoolean()).isTrue();
      assertThat(history.has("reason")).isFalse();
      assertThat(history.get("seq").asLong()).isEqualTo(6);
      assertThat(said(history)).containsExactly("m4", "m5", "m6");
      alice.say("m7");
      assertThat(carol.next("message").get("text").asText()).isEqualTo("m7");
    }

    @Test
    @DisplayName("a join with since resumes another room; the answer comes before anything live")
    void join_withSince_recovers() throws Exception {
      ChatClient alice = enter("alice");
      alice.send("type", "join", "room", "dev");
      JsonNode start = alice.next("history");
      ChatClient bob = enter("bob");
      bob.send("type", "join", "room", "dev");
      bob.next("history");
      bob.say("one");
      bob.say("two");
      assertThat(alice.next("message").get("text").asText()).isEqualTo("one");
      assertThat(alice.next("message").get("text").asText()).isEqualTo("two");
      alice.send("type", "join", "room", "lobby");
      alice.next("history");
      bob.next("message"); // his own "one"
      bob.next("message");
      bob.say("three");
      assertThat(bob.next("message").get("text").asText()).isEqualTo("three"); // numbered

      alice.send(
          "type",
          "join",
          "room",
          "dev",
          "since",
          Map.of("epoch", start.get("epoch").asText(), "seq", 2));
      JsonNode history = alice.next("history");
      assertThat(history.get("recovered").asBoolean()).isTrue();
      assertThat(said(history)).containsExactly("three");
    }

    @Test
    @DisplayName("another epoch is not recovered: epoch-changed, and the room's last messages")
    void anotherEpoch_isEpochChanged() throws Exception {
      ChatClient alice = enter("alice");
      sayAndRead(alice, 1, 2);

      ChatClient carol = connect(server, "room=lobby&epoch=gone&seq=1");
      carol.next("welcome");
      JsonNode history = carol.next("history");
      assertThat(history.get("recovered").asBoolean()).isFalse();
      assertThat(history.get("reason").asText()).isEqualTo("epoch-changed");
      assertThat(said(history)).containsExactly("m1", "m2");
    }

    @Test
    @DisplayName("a server started again answers epoch-changed")
    void aRestartedServer_isEpochChanged() throws Exception {
      ChatClient alice = enter("alice");
      JsonNode seen = sayAndRead(alice, 1, 2);
      ChatServer again = start(50); // the same chat, started again: nothing carried over

      ChatClient carol =
          connect(
              again,
              "room=lobby&epoch="
                  + seen.get("epoch").asText()
                  + "&seq="
                  + seen.get("seq").asLong());
      carol.next("welcome");
      JsonNode history = carol.next("history");
      assertThat(history.get("recovered").asBoolean()).isFalse();
      assertThat(history.get("reason").asText()).isEqualTo("epoch-changed");
      assertThat(history.get("epoch").asText()).isNotEqualTo(seen.get("epoch").asText());
    }

    @Test
    @DisplayName("more missed than the history holds: too-many; no history kept: no-history")
    void tooMany_andNoHistory() throws Exception {
      server = start(3);
      ChatClient alice = enter("alice");
      JsonNode seen = sayAndRead(alice, 1, 1);
      sayAndRead(alice, 2, 6);
      ChatClient carol =
          connect(server, "room=lobby&epoch=" + seen.get("epoch").asText() + "&seq=1");
      carol.next("welcome");
      JsonNode history = carol.next("history");
      assertThat(history.get("reason").asText()).isEqualTo("too-many");
      assertThat(said(history)).containsExactly("m4", "m5", "m6");

      server = start(0);
      ChatClient bea = enter("bea");
      JsonNode first = sayAndRead(bea, 1, 2);
      bea.send(
          "type",
          "join",
          "room",
          "lobby",
          "since",
          Map.of("epoch", first.get("epoch").asText(), "seq", 1));
      JsonNode none = bea.next("history");
      assertThat(none.get("recovered").asBoolean()).isFalse();
      assertThat(none.get("reason").asText()).isEqualTo("no-history");
    }

    @Test
    @DisplayName("a bad position gets a clear error and changes nothing")
    void badPositions_areErrors() throws Exception {
      ChatClient alice = enter("alice");
      alice.send("type", "join", "room", "dev");
      JsonNode dev = alice.next("history");
      alice.say("in dev");
      alice.next("message");

      alice.send(
          "type", "join", "room", "lobby", "since", Map.of("epoch", dev.get("epoch").asText()));
      assertThat(alice.nextEvent().get("message").asText())
          .isEqualTo("join: \"since\" needs an \"epoch\" and a \"seq\"");
      alice.send(
          "type",
          "join",
          "room",
          "dev",
          "since",
          Map.of("epoch", dev.get("epoch").asText(), "seq", 900));
      JsonNode beyond = alice.nextEvent();
      assertThat(beyond.get("code").asText()).isEqualTo("bad-request");
      assertThat(beyond.get("message").asText()).contains("900").contains("beyond");
      alice.send("type", "join", "room", "dev", "since", Map.of("epoch", "a b", "seq", 1));
      assertThat(alice.nextEvent().get("code").asText()).isEqualTo("bad-request");
      alice.send("type", "join", "room", "dev", "since", Map.of("epoch", "e", "seq", -1));
      assertThat(alice.nextEvent().get("message").asText()).contains("was -1");
      // Still in dev: her next words arrive there.
      assertNextEventIs(alice, alice, "still here");

      ChatClient carol = connect(server, "room=dev&epoch=e1&seq=x");
      assertThat(carol.next().get("room").asText()).isEqualTo("dev");
      assertThat(carol.next("history").has("recovered")).isFalse();
      assertThat(carol.nextEvent().get("message").asText())
          .isEqualTo("connect: \"seq\" must be a whole number, 0 or more");
    }
  }

  @Nested
  @DisplayName("keeping the user's place")
  class KeepingThePlace {

    @Test
    @DisplayName("the lobby is always listed, even when no one is in it")
    void lobby_isAlwaysListed() throws Exception {
      ChatClient alice = ChatClient.connect(server.port(), "alice", "room=dev");
      open.add(alice);
      assertThat(texts(alice.next().get("rooms"))).containsExactly("dev", "lobby");
      alice.next("history");
      ChatClient bob = enter("bob");
      bob.send("type", "join", "room", "ops");
      bob.next("history");
      // The lobby emptied and ops appeared: the list still has the lobby.
      JsonNode rooms =
          alice.awaitMatching(
              "rooms with ops",
              m -> m.path("type").asText().equals("rooms") && texts(m.get("rooms")).contains("ops"),
              ChatClient.WAIT);
      assertThat(texts(rooms.get("rooms"))).containsExactly("dev", "lobby", "ops");
    }

    @Test
    @DisplayName("a room someone spoke in stays listed after everyone left; a silent one goes")
    void roomWithHistory_staysListed() throws Exception {
      ChatClient alice = enter("alice");
      alice.send("type", "join", "room", "talk");
      alice.next("history");
      alice.send("type", "say", "text", "anyone?");
      alice.next("message");
      alice.send("type", "join", "room", "quiet");
      alice.next("history");
      alice.awaitMatching(
          "rooms with quiet",
          m -> m.path("type").asText().equals("rooms") && texts(m.get("rooms")).contains("quiet"),
          ChatClient.WAIT);
      alice.send("type", "join", "room", "lobby");
      JsonNode rooms =
          alice.awaitMatching(
              "rooms without quiet", m -> m.path("type").asText().equals("rooms"), ChatClient.WAIT);
      assertThat(texts(rooms.get("rooms"))).containsExactly("lobby", "talk");

      ChatClient bob = ChatClient.connect(server.port(), "bob");
      open.add(bob);
      assertThat(texts(bob.next().get("rooms"))).containsExactly("lobby", "talk");
    }

    @Test
    @DisplayName("welcome and people list everyone online, whatever their room, each once")
    void people_listsEveryoneOnline() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient carol = enter("carol");
      carol.send("type", "join", "room", "dev");
      carol.next("history");
      ChatClient bob = ChatClient.connect(server.port(), "bob");
      open.add(bob);
      assertThat(texts(bob.next().get("people"))).containsExactly("alice", "bob", "carol");
      assertThat(texts(nextPeople(alice, List.of("alice", "bob", "carol")).get("people")))
          .containsExactly("alice", "bob", "carol");
      ChatClient bob2 = ChatClient.connect(server.port(), "bob"); // a second tab: listed once
      open.add(bob2);
      assertThat(texts(bob2.next().get("people"))).containsExactly("alice", "bob", "carol");
      bob2.next("history");
      bob.close();
      bob2.close();
      assertThat(texts(nextPeople(carol, List.of("alice", "carol")).get("people")))
          .containsExactly("alice", "carol");
    }

    @Test
    @DisplayName("private messages are kept per pair and sent to a connection after its history")
    void dms_areKeptAndSentOnConnect() throws Exception {
      ChatClient alice = enter("alice");
      ChatClient bob = enter("bob");
      alice.send("type", "dm", "to", "bob", "text", "one");
      bob.next("dm");
      bob.send("type", "dm", "to", "alice", "text", "two");
      bob.next("dm");
      alice.send("type", "dm", "to", "ghost", "text", "never kept");
      bob.close();

      ChatClient back = ChatClient.connect(server.port(), "bob");
      open.add(back);
      assertThat(back.next().get("type").asText()).isEqualTo("welcome");
      assertThat(back.next().get("type").asText()).isEqualTo("history");
      JsonNode dms = back.next("dms");
      assertThat(dms.get("messages"))
          .extracting(m -> m.get("from").asText() + ">" + m.get("to").asText() + ":" + text(m))
          .containsExactly("alice>bob:one", "bob>alice:two");
      assertThat(dms.get("messages").get(0).get("ts").asText()).isNotBlank();

      ChatClient carol = ChatClient.connect(server.port(), "carol"); // had none: gets none
      open.add(carol);
      carol.next();
      carol.next("history");
      carol.say("carol's own");
      assertThat(text(carol.nextEvent())).isEqualTo("carol's own");
    }

    @Test
    @DisplayName("a pair keeps its last 50 private messages")
    void dms_keepTheLast50() throws Exception {
      ChatServer unlimited =
          ChatServer.start(new ChatOptions(transport(), "127.0.0.1", 0, 50).withRateLimit(0));
      open.add(0, unlimited);
      ChatClient alice = enter(unlimited, "alice");
      ChatClient bob = enter(unlimited, "bob");
      for (int i = 1; i <= 55; i++) {
        alice.send("type", "dm", "to", "bob", "text", "dm " + i);
      }
      for (int i = 1; i <= 55; i++) {
        assertThat(text(bob.next("dm"))).isEqualTo("dm " + i);
      }
      ChatClient again = ChatClient.connect(unlimited.port(), "alice");
      open.add(again);
      again.next();
      again.next("history");
      JsonNode kept = again.next("dms").get("messages");
      assertThat(kept).hasSize(50);
      assertThat(text(kept.get(0))).isEqualTo("dm 6");
      assertThat(text(kept.get(49))).isEqualTo("dm 55");
    }
  }

  @Nested
  @DisplayName("the rate limit")
  class TheRateLimit {

    @Test
    @DisplayName("a flood is dropped past the limit and answered slow-down; no one is closed")
    void flood_isSlowedDown_andNoOneIsClosed() throws Exception {
      ChatClient flooder = enter("flooder");
      ChatClient reader = enter("reader");
      for (int i = 1; i <= 500; i++) {
        flooder.say("flood " + i);
      }
      JsonNode slowDown =
          flooder.awaitMatching(
              "slow-down", m -> m.path("type").asText().equals("error"), ChatClient.WAIT);
      assertThat(slowDown.get("code").asText()).isEqualTo("slow-down");
      assertThat(slowDown.get("message").asText()).contains("slow down").contains("20");

      // The flooder is still connected: once its bucket refills, it is heard again.
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                flooder.say("after the flood");
                try {
                  flooder.awaitMatching(
                      "its words",
                      m -> m.path("text").asText().equals("after the flood"),
                      Duration.ofMillis(250));
                  return true;
                } catch (AssertionError notYet) {
                  return false;
                }
              });
      // The reader got every accepted message, numbered without a hole, up to that one.
      List<Long> seqs = new ArrayList<>();
      JsonNode m;
      do {
        m = reader.next("message");
        seqs.add(m.get("seq").asLong());
      } while (!text(m).equals("after the flood"));
      assertThat(seqs.size()).isBetween(40, 200);
      for (int i = 0; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).isEqualTo(i + 1L);
      }
      assertThat(reader.ws.isClosed()).isFalse();
      assertThat(flooder.ws.isClosed()).isFalse();
    }

    @Test
    @DisplayName("--rate-limit 0 takes everything")
    void noLimit_takesEverything() throws Exception {
      ChatServer unlimited =
          ChatServer.start(new ChatOptions(transport(), "127.0.0.1", 0, 50).withRateLimit(0));
      open.add(0, unlimited);
      ChatClient fast = enter(unlimited, "fast");
      for (int i = 1; i <= 100; i++) {
        fast.say("m " + i);
      }
      for (int i = 1; i <= 100; i++) {
        assertThat(text(fast.nextEvent())).isEqualTo("m " + i);
      }
    }
  }

  private static String text(JsonNode message) {
    return message.get("text").asText();
  }

  /** Reads {@code client}'s messages until a {@code people} listing {@code expected}. */
  private static JsonNode nextPeople(ChatClient client, List<String> expected) {
    return client.awaitMatching(
        "people " + expected,
        m -> m.path("type").asText().equals("people") && texts(m.get("people")).equals(expected),
        ChatClient.WAIT);
  }
}
