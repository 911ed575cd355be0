package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubcast.testkit.RedisServer;
import dev.hubcast.testkit.TestCertificates;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in headless Chromium: two people chat in the lobby, one sends the other a private
 * message, a notice says messages may be missing, one moves to another room, a reload shows the
 * history, and a server restart is ridden out by the page's reconnect. The page resumes its room
 * after every reconnect: a server restarted without history makes it say what could not be
 * recovered, and a failover from a killed server to another on the same Redis loses nothing. Over
 * Server-Sent Events: a page forced to them and a page on WebSocket chat, and the first rides out a
 * restart; a page behind a network that breaks WebSockets falls back to them by itself, and says so
 * when the server has none (Jetty). Screenshots go to {@code target/chat-screenshot*.png}.
 *
 * <p>Uses Debian's {@code chromium} and {@code chromium-driver} ({@code
 * scripts/install-test-deps.sh}); {@code -Dchat.chromium=...} and {@code -Dchat.chromedriver=...}
 * point elsewhere. Nothing is downloaded: the driver's path is given, so Selenium Manager never
 * runs.
 */
@Timeout(120)
class ChatPageIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String CHROMIUM = System.getProperty("chat.chromium", "/usr/bin/chromium");
  private static final String DRIVER =
      System.getProperty("chat.chromedriver", "/usr/bin/chromedriver");

  private static final String GAP_NOTICE =
      "Some messages may be missing (%d): the chat's servers lost touch for a moment.";

  private static final int SHORT_HISTORY = 4;

  private static final String NOT_RECOVERED =
      "Some messages could not be recovered: the server restarted without keeping history.";

  /** The message list as the page shows it: each message's text, each notice as "notice:REASON". */
  private static final String SHOWN =
      "return Array.from(document.querySelectorAll('#messages > li')).map(li =>"
          + " li.classList.contains('notice') ? 'notice:' + li.dataset.reason"
          + " : li.querySelector('.text').textContent);";

  /** The seq of each message shown, in the page's order. */
  private static final String SEQS =
      "return Array.from(document.querySelectorAll('#messages > li.msg'))"
          + ".map(li => li.dataset.seq);";

  private static final String SIDEBAR_EDGES =
      "const r = document.getElementById('sidebar').getBoundingClientRect();"
          + " return Math.round(r.left) + ',' + Math.round(r.right);";

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void twoPeopleChat_privately_acrossRooms_throughAReloadAndARestart() throws Exception {
    ChatServer server = startServer(0);
    int port = server.port();
    String page = "http://127.0.0.1:" + port + "/";

    Browser alice = browser(1280, 800);
    Browser bob = browser(1280, 800);
    alice.signIn(page, "alice");
    bob.signIn(page, "bob");
    alice.await(
        "bob in alice's list of people", () -> alice.texts("#people li .label"), "alice", "bob");
    assertThat(bob.texts("#people li .label")).containsExactly("alice", "bob");
    assertThat(alice.text("#title")).isEqualTo("# lobby");

    // The lobby: each sees the other's messages, with sender and time.
    alice.send("Morning Bob! Did the release go out?");
    bob.awaitMessage("Morning Bob! Did the release go out?");
    bob.send("It did, 0.1.0 is live. Jetty and Netty both green.");
    alice.awaitMessage("It did, 0.1.0 is live. Jetty and Netty both green.");
    alice.send("Great work. I'll write the notes in #dev.");
    bob.awaitMessage("Great work. I'll write the notes in #dev.");
    assertThat(alice.texts("#messages li.msg[data-from=bob] .from")).containsExactly("bob");
    assertThat(alice.texts("#messages li.msg time"))
        .allMatch(t -> t.matches(".*\\d{1,2}:\\d{2}.*"));

    // A private message: bob opens a conversation with alice; alice sees an unread badge.
    bob.click("#people li[data-name=alice]");
    bob.await("bob's private view", () -> List.of(bob.text("#title")), "@ alice");
    bob.send("psst: lunch at 1?");
    bob.awaitMessage("psst: lunch at 1?");
    alice.await("alice's unread badge", () -> alice.texts("#dms li[data-peer=bob] .badge"), "1");
    assertThat(alice.texts("#messages li.msg .text")).doesNotContain("psst: lunch at 1?");
    alice.screenshot("chat-screenshot.png");
    alice.click("#dms li[data-peer=bob]");
    alice.awaitMessage("psst: lunch at 1?");
    assertThat(alice.texts("#messages li.msg.private .text")).containsExactly("psst: lunch at 1?");
    alice.send("Yes! See you there.");
    bob.awaitMessage("Yes! See you there.");
    alice.screenshot("chat-screenshot-private.png");

    // A server error is shown: a private message to someone who is not there.
    alice.send("/dm ghost are you there?");
    alice.await("the unknown-user error", () -> alice.texts("#errors .toast code"), "unknown-user");

    // Messages lost between servers (a Redis outage, with --redis): the page says so until
    // dismissed. The hub reports such a gap to the chat's handler; here it is reported directly.
    server.hub().config().handler().orElseThrow().onBackplaneGap(server.hub(), "other-node", 3);
    alice.await("the gap notice", () -> List.of(alice.text("#gap-text")), GAP_NOTICE.formatted(3));
    server.hub().config().handler().orElseThrow().onBackplaneGap(server.hub(), "other-node", 2);
    alice.await(
        "the gap notice, added up",
        () -> List.of(alice.text("#gap-text")),
        GAP_NOTICE.formatted(5));
    alice.screenshot("chat-screenshot-gap.png");
    alice.click("#gap-dismiss");
    assertThat(alice.find("#gap").isDisplayed()).isFalse();

    // Alice moves to #dev: bob sees the room appear and alice leave the lobby.
    alice.click("#rooms li[data-room=lobby]");
    alice.type("#room-input", "dev", Keys.ENTER);
    alice.await("alice in #dev", () -> List.of(alice.text("#title")), "# dev");
    bob.click("#rooms li[data-room=lobby]");
    bob.await("dev in bob's rooms", () -> bob.texts("#rooms li .label"), "dev", "lobby");
    bob.await("alice gone from the lobby", () -> bob.texts("#people li .label"), "bob");
    // "Online" lists everyone, whatever their room: alice can still be sent a private message.
    assertThat(bob.texts("#online li .label")).containsExactly("alice", "bob");
    alice.send("Release notes draft: hub-core, adapters, examples.");
    alice.awaitMessage("Release notes draft: hub-core, adapters, examples.");
    bob.send("Anyone still in the lobby?");
    bob.awaitMessage("Anyone still in the lobby?");
    assertThat(bob.texts("#messages li.msg .text"))
        .doesNotContain("Release notes draft: hub-core, adapters, examples.");

    // A reload shows the lobby's history, oldest first.
    bob.driver.navigate().refresh();
    bob.awaitOnline();
    bob.await(
        "the lobby's history after a reload",
        () -> bob.texts("#messages li.msg .text"),
        "Morning Bob! Did the release go out?",
        "It did, 0.1.0 is live. Jetty and Netty both green.",
        "Great work. I'll write the notes in #dev.",
        "Anyone still in the lobby?");
    bob.screenshot("chat-screenshot-reload.png");
    // The private conversation is kept on the server and comes back with the reload.
    bob.await("bob's conversations after a reload", () -> bob.texts("#dms li .label"), "alice");
    bob.click("#dms li[data-peer=alice]");
    bob.await(
        "the private messages after a reload",
        () -> bob.texts("#messages li.msg.private .text"),
        "psst: lunch at 1?",
        "Yes! See you there.");
    bob.click("#rooms li[data-room=lobby]");

    // On a phone-sized window the sidebar is a drawer.
    bob.driver.manage().window().setSize(new Dimension(390, 844));
    bob.await("the drawer slid away", () -> List.of(bob.sidebarEdges().split(",")[1]), "0");
    assertThat(bob.find("#menu").isDisplayed()).isTrue();
    bob.screenshot("chat-screenshot-phone.png");
    bob.click("#menu");
    bob.await("the drawer slid in", () -> List.of(bob.sidebarEdges().split(",")[0]), "0");
    bob.screenshot("chat-screenshot-phone-menu.png");

    // The server restarts: the page says it is reconnecting, then comes back into #dev.
    server.close();
    alice.await(
        "alice's page to notice",
        () -> List.of(alice.find("#status").getAttribute("data-state")),
        "offline");
    assertThat(alice.text("#banner-text")).contains("The server is restarting.", "Reconnecting in");
    // Offline, the page no longer knows who is there: its dots are not green.
    assertThat(alice.find("#people li .dot").getCssValue("background-color"))
        .isNotEqualTo("rgba(47, 158, 98, 1)");
    // A failed attempt while the server is down does not replace why the page went offline.
    alice.await(
        "a second attempt",
        () -> List.of(String.valueOf(alice.text("#banner-text").contains("(attempt 2)"))),
        "true");
    assertThat(alice.text("#banner-text")).contains("The server is restarting.");
    alice.screenshot("chat-screenshot-reconnecting.png");
    startServer(port);
    alice.awaitOnline();
    alice.await("alice back in #dev", () -> List.of(alice.text("#title")), "# dev");
    // Its attempts while the server was down never opened, yet it stays on WebSocket: it had one.
    assertThat(alice.transport()).isEqualTo("websocket");
    alice.send("Back after the restart.");
    alice.awaitMessage("Back after the restart.");
  }

  /**
   * A reload resumes the room from the position the page kept in the tab, and a single server
   * restarted without Redis makes the page say that some messages could not be recovered. The
   * server keeps one message of history, so a page that joined afresh after its reload, instead of
   * resuming, would show only the last.
   */
  @Test
  void serverRestartedWithoutHistory_thePageSaysWhatCouldNotBeRecovered() throws Exception {
    ChatServer server = startServer(oneMessageOfHistory(0));
    int port = server.port();
    Browser alice = browser(1280, 800);
    alice.signIn("http://127.0.0.1:" + port + "/", "alice");
    ChatClient bob = enter(port, "bob");
    bob.say("One.");
    bob.say("Two.");
    alice.await("bob's messages", alice::shown, "One.", "Two.");

    alice.driver.navigate().refresh();
    alice.awaitOnline();
    bob.say("Three.");
    alice.await(
        "the same list after a reload, and what came since",
        alice::shown,
        "One.",
        "Two.",
        "Three.");

    // The restarted server numbers the lobby afresh, in a new epoch: the page's position cannot be
    // resumed there, and the page says so where the messages would have been.
    server.close();
    alice.await(
        "alice's page to notice",
        () -> List.of(alice.find("#status").getAttribute("data-state")),
        "offline");
    startServer(oneMessageOfHistory(port));
    alice.awaitOnline();
    alice.await(
        "the notice after what was shown",
        alice::shown,
        "One.",
        "Two.",
        "Three.",
        "notice:epoch-changed");
    assertThat(alice.texts("#messages li.notice")).containsExactly(NOT_RECOVERED);
    alice.screenshot("chat-screenshot-not-recovered.png");

    // The new epoch goes on below the notice, the old messages still above it.
    ChatClient carol = enter(port, "carol");
    carol.say("After the restart.");
    alice.await(
        "the new epoch's first message",
        alice::shown,
        "One.",
        "Two.",
        "Three.",
        "notice:epoch-changed",
        "After the restart.");
  }

  private static ChatOptions oneMessageOfHistory(int port) {
    return new ChatOptions(ChatOptions.Transport.NETTY, "127.0.0.1", port, 1);
  }

  /**
   * Failover: the page is loaded through a {@link FailoverProxy} (the load balancer) from server A,
   * a chat server in a JVM of its own ({@link ChatServerProcess}, Jetty), while bob talks on server
   * B (Netty, in this JVM); both use one real {@code redis-server}, which holds the rooms' history.
   * A is killed with SIGKILL (no clean shutdown: its connections just drop), bob goes on talking
   * while the page is away, then the proxy sends new connections to B. The page resumes there and
   * shows every message once, in order, with no notice. Both servers keep a history of {@value
   * #SHORT_HISTORY} messages, fewer than the page ends up showing: a page that joined the room
   * afresh, instead of resuming it, would lose the first ones.
   */
  @Test
  void serverKilled_thePageResumesOnAnother_withEveryMessageOnce() throws Exception {
    RedisServer redis = RedisServer.start();
    open.add(redis);
    ChatServer b =
        startServer(
            new ChatOptions(ChatOptions.Transport.NETTY, "127.0.0.1", 0, SHORT_HISTORY)
                .withRedis(URI.create(redis.uri())));
    ChatServerProcess a =
        ChatServerProcess.start(
            "chat-server-a",
            30_000,
            "--transport",
            "jetty",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--history",
            String.valueOf(SHORT_HISTORY),
            "--redis",
            redis.uri());
    open.add(a);
    FailoverProxy balancer = FailoverProxy.start(a.port());
    open.add(balancer);

    Browser alice = browser(1280, 800);
    alice.signIn("http://127.0.0.1:" + balancer.port() + "/", "alice");
    ChatClient bob = enter(b.port(), "bob");
    List<String> said = new ArrayList<>();
    for (String text : List.of("one", "two", "three")) {
      bob.say(text);
      said.add(text);
      alice.awaitMessage(text);
    }

    a.kill();
    alice.await(
        "alice's page to notice",
        () -> List.of(alice.find("#status").getAttribute("data-state")),
        "offline");
    for (String text : List.of("four", "five", "six")) {
      bob.say(text);
      said.add(text);
      bob.awaitMatching(
          "his own \"" + text + "\"",
          m -> m.path("type").asText().equals("message") && m.get("text").asText().equals(text),
          WAIT);
    }
    balancer.switchTo(b.port());

    alice.awaitOnline();
    bob.say("seven");
    said.add("seven");
    alice.await("every message once, in order", alice::shown, said.toArray(String[]::new));
    List<Long> seqs = alice.seqs();
    for (int i = 1; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).as("seq after %s", seqs.get(i - 1)).isEqualTo(seqs.get(i - 1) + 1);
    }
    assertThat(alice.texts("#messages li.notice")).isEmpty();
    assertThat(alice.find("#gap").isDisplayed()).isFalse();
    assertThat(alice.text("#title")).isEqualTo("# lobby");
    alice.screenshot("chat-screenshot-failover.png");
  }

  /**
   * One client floods the lobby with 5,000 messages in a burst while a page reads it: the rate
   * limit drops what is past it and tells the flooder to slow down, and the page stays connected
   * and shows every message that was accepted, numbered without a hole.
   */
  @Test
  void aFlood_isSlowedDown_andTheReaderStaysConnected_seeingEveryAcceptedMessage()
      throws Exception {
    ChatServer server = startServer(0);
    String page = "http://127.0.0.1:" + server.port() + "/";
    Browser reader = browser(1280, 800);
    reader.signIn(page, "reader");
    List<String> readerConnections = connectionsOf(server, "reader");
    assertThat(readerConnections).hasSize(1);

    ChatClient flooder = enter(server.port(), "flooder");
    for (int i = 1; i <= 5000; i++) {
      flooder.say("flood " + i);
    }
    JsonNode slowDown =
        flooder.awaitMatching(
            "slow-down", m -> m.path("type").asText().equals("error"), Duration.ofSeconds(10));
    assertThat(slowDown.get("code").asText()).isEqualTo("slow-down");
    await("the flooder heard again once its bucket refills")
        .atMost(WAIT)
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

    reader
        .wait
        .withMessage(() -> "the page to show the last accepted message")
        .until(d -> reader.texts("#messages li.msg .text").contains("after the flood"));
    List<Long> seqs = reader.seqs();
    assertThat(seqs.size()).as("messages accepted").isBetween(40, 1000);
    for (int i = 0; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).as("seq at %d", i).isEqualTo(i + 1L);
    }
    assertThat(reader.find("#status").getAttribute("data-state")).isEqualTo("online");
    assertThat(connectionsOf(server, "reader")).isEqualTo(readerConnections);
    assertThat(server.hub().metrics().rateLimited()).isGreaterThan(0);
    assertThat(flooder.ws.isClosed()).isFalse();
    reader.screenshot("chat-screenshot-flood.png");
  }

  /** The inputs say what a name is in the page's own words; the icon is inline. */
  @Test
  void theFormsGiveTheirOwnHints_andTheIconIsInline() throws Exception {
    ChatServer server = startServer(0);
    String page = "http://127.0.0.1:" + server.port() + "/";
    Browser ada = browser(1280, 800);
    ada.driver.get(page);
    ada.type("#name-input", "a b");
    assertThat(ada.find("#name-input").getDomProperty("validationMessage"))
        .isEqualTo("Use 1–32 letters, digits, _ or - (no spaces).");
    assertThat(ada.find("link[rel=icon]").getDomAttribute("href"))
        .startsWith("data:image/svg+xml,");
    ada.find("#name-input").clear();
    ada.type("#name-input", "ada", Keys.ENTER);
    ada.awaitOnline();
    assertThat(ada.find("#name-input").getDomProperty("validationMessage")).isEmpty();
    ada.type("#room-input", "no spaces");
    assertThat(ada.find("#room-input").getDomProperty("validationMessage"))
        .isEqualTo("Room names are 1–32 letters, digits, _ or - (#dev or dev).");
    ada.type("#room-input", Keys.ENTER);
    assertThat(ada.text("#title")).isEqualTo("# lobby");
    ada.find("#room-input").clear();
    ada.type("#room-input", "#dev", Keys.ENTER);
    ada.await("ada in #dev", () -> List.of(ada.text("#title")), "# dev");
    ada.await("the lobby still listed", () -> ada.texts("#rooms li .label"), "dev", "lobby");

    // Closed as a slow reader: the page says why in words, not as a code.
    String id = connectionsOf(server, "ada").get(0);
    server.hub().disconnect(id, 1008, "slow consumer: outbox limit reached");
    ada.wait
        .withMessage(() -> "the reason on the banner; saw " + ada.text("#banner-text"))
        .until(
            d ->
                ada.text("#banner-text")
                    .contains(
                        "You were disconnected: messages could not be delivered to you fast"
                            + " enough."));
    ada.awaitOnline();
  }

  /**
   * Presence across servers: alice's page on a Jetty server, bob's on a Netty one, both over one
   * real {@code redis-server}. Each sees the other here and online; when bob's page closes, alice's
   * lists drop him, and when he is back they list him again.
   */
  @Test
  void twoPagesOnTwoServers_seeEachOtherComeAndGo() throws Exception {
    RedisServer redis = RedisServer.start();
    open.add(redis);
    URI redisUri = URI.create(redis.uri());
    ChatServer one =
        startServer(
            new ChatOptions(ChatOptions.Transport.JETTY, "127.0.0.1", 0, 50).withRedis(redisUri));
    ChatServer two =
        startServer(
            new ChatOptions(ChatOptions.Transport.NETTY, "127.0.0.1", 0, 50).withRedis(redisUri));

    Browser alice = browser(1280, 800);
    alice.signIn("http://127.0.0.1:" + one.port() + "/", "alice");
    Browser bob = new Browser(1280, 800);
    try {
      bob.signIn("http://127.0.0.1:" + two.port() + "/", "bob");
      alice.await("bob here, for alice", () -> alice.texts("#people li .label"), "alice", "bob");
      alice.await("bob online, for alice", () -> alice.texts("#online li .label"), "alice", "bob");
      bob.await("alice here, for bob", () -> bob.texts("#people li .label"), "alice", "bob");
    } finally {
      bob.close(); // the page goes away
    }
    alice.await("bob gone from here", () -> alice.texts("#people li .label"), "alice");
    alice.await("bob gone from online", () -> alice.texts("#online li .label"), "alice");

    Browser back = browser(1280, 800);
    back.signIn("http://127.0.0.1:" + two.port() + "/", "bob");
    alice.await("bob back", () -> alice.texts("#people li .label"), "alice", "bob");
    alice.screenshot("chat-screenshot-presence.png");
  }

  /**
   * The SSE fallback, end to end: alice's page is forced onto Server-Sent Events ({@code
   * ?transport=sse}), bob's is on WebSocket; they chat both ways in #dev, alice's messages in the
   * order she sent them. The server restarts on the same port: alice's page says why it went away,
   * reconnects over SSE by itself, back into #dev, and they chat again.
   */
  /**
   * TLS: the chat with {@code --tls-cert} and {@code --tls-key} on each transport, a certificate
   * this test makes, and two Chromium pages that trust it (and only it, by its public key) chatting
   * over {@code https://} and {@code wss://}.
   */
  @Test
  void overTls_twoPagesChat_onHttpsAndWss_onBothTransports(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.generate(dir);
    ChatOptions.Tls tls = new ChatOptions.Tls(certs.certificatePem(), certs.privateKeyPem());
    String trust = "--ignore-certificate-errors-spki-list=" + certs.spkiSha256();
    Browser ada = browser(1280, 800, trust);
    Browser bob = browser(1280, 800, trust);
    for (ChatOptions.Transport transport : ChatOptions.Transport.values()) {
      ChatServer server = startServer(new ChatOptions(transport, "127.0.0.1", 0, 50).withTls(tls));
      assertThat(server.pageUri().getScheme()).isEqualTo("https");
      String page = "https://127.0.0.1:" + server.port() + "/";

      ada.signIn(page, "ada");
      bob.signIn(page, "bob");
      ada.send("over wss on " + transport);
      bob.awaitMessage("over wss on " + transport);
      assertThat(ada.transport()).isEqualTo("websocket");
      assertThat(ada.driver.getCurrentUrl()).startsWith("https://");
      if (transport == ChatOptions.Transport.NETTY) {
        ada.screenshot("chat-screenshot-tls.png");
      }
      server.close();
    }
  }

  @Test
  void anSsePageAndAWebSocketPage_chatBothWays_andTheSsePageRidesOutARestart() throws Exception {
    ChatServer server = startServer(0);
    int port = server.port();
    String page = "http://127.0.0.1:" + port + "/";
    Browser alice = browser(1280, 800);
    Browser bob = browser(1280, 800);
    alice.signIn(page + "?transport=sse", "alice");
    bob.signIn(page, "bob");
    alice.await(
        "alice on SSE",
        () -> List.of(alice.transport(), alice.text("#status")),
        "sse",
        "Online (SSE)");
    bob.await(
        "bob on WebSocket",
        () -> List.of(bob.transport(), bob.text("#status")),
        "websocket",
        "Online");
    assertThat(pathsOf(server, "alice")).containsExactly("/sse");
    assertThat(pathsOf(server, "bob")).containsExactly("/ws");

    alice.type("#room-input", "dev", Keys.ENTER);
    alice.await("alice in #dev", () -> List.of(alice.text("#title")), "# dev");
    bob.type("#room-input", "dev", Keys.ENTER);
    alice.await("bob in #dev, for alice", () -> alice.texts("#people li .label"), "alice", "bob");

    alice.send("Hi Bob, I am on Server-Sent Events.");
    bob.awaitMessage("Hi Bob, I am on Server-Sent Events.");
    bob.send("Hi Alice, WebSocket here.");
    alice.awaitMessage("Hi Alice, WebSocket here.");
    List<String> said =
        new ArrayList<>(
            List.of("Hi Bob, I am on Server-Sent Events.", "Hi Alice, WebSocket here."));
    for (int i = 1; i <= 5; i++) {
      alice.send("In order " + i + ".");
      said.add("In order " + i + ".");
    }
    bob.await(
        "alice's messages, in the order she sent them", bob::shown, said.toArray(String[]::new));
    alice.await("the same on alice's page", alice::shown, said.toArray(String[]::new));
    alice.screenshot("chat-screenshot-sse.png");

    server.close();
    alice.await(
        "alice's page to notice",
        () -> List.of(alice.find("#status").getAttribute("data-state")),
        "offline");
    assertThat(alice.text("#banner-text")).contains("The server is restarting.", "Reconnecting in");
    startServer(port);
    alice.awaitOnline();
    alice.await(
        "alice back on SSE",
        () -> List.of(alice.transport(), alice.text("#status")),
        "sse",
        "Online (SSE)");
    alice.await("alice back in #dev", () -> List.of(alice.text("#title")), "# dev");
    bob.awaitOnline();
    bob.await("bob back in #dev", () -> List.of(bob.text("#title")), "# dev");
    alice.send("Back on SSE after the restart.");
    bob.awaitMessage("Back on SSE after the restart.");
    bob.send("Welcome back.");
    alice.awaitMessage("Welcome back.");
    alice.screenshot("chat-screenshot-sse-restart.png");
  }

  /**
   * A network that breaks WebSockets (a proxy that refuses every upgrade with 403) between the page
   * and the server: the page's first two WebSocket attempts close before they open, so it falls
   * back to Server-Sent Events through the same proxy, and chats with bob, who is on a WebSocket
   * straight to the server. Then the network drops the stream: EventSource reconnects by itself,
   * sending the id of the last room message it got as {@code Last-Event-ID}, and the server resumes
   * the room from it: what bob said meanwhile comes once, with no notice.
   */
  @Test
  void aNetworkThatBreaksWebSockets_thePageFallsBackToSse_andEventSourceResumesByItself()
      throws Exception {
    ChatServer server = startServer(0);
    FailoverProxy breaksWebSockets = FailoverProxy.start(server.port());
    breaksWebSockets.blockWebSockets();
    open.add(breaksWebSockets);

    Browser alice = browser(1280, 800);
    alice.signIn("http://127.0.0.1:" + breaksWebSockets.port() + "/", "alice");
    alice.await(
        "alice on SSE",
        () -> List.of(alice.transport(), alice.text("#status")),
        "sse",
        "Online (SSE)");
    assertThat(pathsOf(server, "alice")).containsExactly("/sse");

    ChatClient bob = enter(server.port(), "bob");
    bob.say("Can you hear me?");
    alice.awaitMessage("Can you hear me?");
    alice.send("Loud and clear, over SSE.");
    bob.awaitMatching(
        "alice's answer",
        m ->
            m.path("type").asText().equals("message")
                && m.path("text").asText().equals("Loud and clear, over SSE."),
        WAIT);
    alice.screenshot("chat-screenshot-sse-fallback.png");

    breaksWebSockets.dropConnections(); // EventSource waits about 3 s before it reconnects
    bob.say("While you were away.");
    alice.awaitMessage("While you were away.");
    alice.await("alice on SSE again", () -> List.of(alice.text("#status")), "Online (SSE)");
    assertThat(server.hub().connectionsOf("alice"))
        .singleElement()
        .satisfies(c -> assertThat(c.handshake().lastEventMark()).isPresent());
    assertThat(alice.shown())
        .containsExactly("Can you hear me?", "Loud and clear, over SSE.", "While you were away.");
    alice.send("Back, and nothing missed.");
    bob.awaitMatching(
        "alice's last words",
        m -> m.path("text").asText().equals("Back, and nothing missed."),
        WAIT);
  }

  /**
   * The same network in front of a Jetty server, which has no {@code /sse}: the page falls back,
   * finds none (404), says so, and keeps trying WebSocket; it does not pretend to be online.
   */
  @Test
  void aNetworkThatBreaksWebSockets_toJetty_thePageSaysThereIsNoFallback() throws Exception {
    ChatServer server =
        startServer(new ChatOptions(ChatOptions.Transport.JETTY, "127.0.0.1", 0, 50));
    FailoverProxy breaksWebSockets = FailoverProxy.start(server.port());
    breaksWebSockets.blockWebSockets();
    open.add(breaksWebSockets);

    Browser alice = browser(1280, 800);
    alice.driver.get("http://127.0.0.1:" + breaksWebSockets.port() + "/");
    alice.type("#name-input", "alice", Keys.ENTER);
    alice
        .wait
        .withMessage(() -> "the no-fallback notice; saw " + alice.text("#banner-text"))
        .until(
            d ->
                alice
                    .text("#banner-text")
                    .startsWith(
                        "WebSocket could not be opened, and this server has no Server-Sent Events"
                            + " fallback (/sse not found). Reconnecting in"));
    alice.await("the no-SSE toast", () -> alice.texts("#errors .toast code"), "no-sse");
    // It goes on with WebSocket attempts, each refused, and says the same each time.
    alice
        .wait
        .withMessage(
            () -> "a WebSocket attempt after the fallback; saw " + alice.text("#banner-text"))
        .until(d -> alice.text("#banner-text").contains("(attempt 4)"));
    assertThat(alice.text("#banner-text")).contains("no Server-Sent Events fallback");
    assertThat(alice.transport()).isEqualTo("websocket");
    assertThat(alice.find("#status").getAttribute("data-state")).isNotEqualTo("online");
    assertThat(server.hub().connectionCount()).isZero();
    alice.screenshot("chat-screenshot-no-sse.png");
  }

  private static List<String> pathsOf(ChatServer server, String user) {
    return server.hub().connectionsOf(user).stream().map(c -> c.handshake().path()).toList();
  }

  private static List<String> connectionsOf(ChatServer server, String user) {
    return server.hub().connectionsOf(user).stream().map(c -> c.id()).toList();
  }

  private ChatClient enter(int port, String name) throws Exception {
    ChatClient client = ChatClient.enter(port, name);
    open.add(client);
    return client;
  }

  private ChatServer startServer(int port) {
    return startServer(new ChatOptions(ChatOptions.Transport.NETTY, "127.0.0.1", port, 50));
  }

  private ChatServer startServer(ChatOptions options) {
    int port = options.port();
    AtomicReference<ChatServer> started = new AtomicReference<>();
    await("the chat server to start on port " + port)
        .atMost(WAIT)
        .pollDelay(Duration.ZERO)
        .pollInSameThread()
        .until(
            () -> {
              try {
                started.set(ChatServer.start(options));
                return true;
              } catch (
                  Exception bindFailed) { // after a restart, the old socket may linger a moment
                return false;
              }
            });
    open.add(started.get());
    return started.get();
  }

  private Browser browser(int width, int height, String... extraArguments) throws IOException {
    Browser browser = new Browser(width, height, extraArguments);
    open.add(browser);
    return browser;
  }

  /** One headless Chromium with its own fresh profile. */
  private static final class Browser implements AutoCloseable {
    final ChromeDriver driver;
    final Path profile;
    final WebDriverWait wait;

    Browser(int width, int height, String... extraArguments) throws IOException {
      assertThat(new File(CHROMIUM))
          .as("Chromium (apt-get install chromium, or scripts/install-test-deps.sh)")
          .canRead();
      assertThat(new File(DRIVER))
          .as("chromedriver (apt-get install chromium-driver, or scripts/install-test-deps.sh)")
          .canRead();
      profile = Files.createTempDirectory("chat-chromium-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM);
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--disable-background-networking",
          "--disable-component-update",
          "--no-first-run",
          "--disable-sync",
          "--user-data-dir=" + profile,
          "--window-size=" + width + "," + height);
      options.addArguments(extraArguments);
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(new File(DRIVER))
              .usingAnyFreePort()
              .build();
      driver = new ChromeDriver(service, options);
      wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
      // A list the page renders again (a history that resumes it) while a poll reads it: poll
      // again.
      wait.ignoring(StaleElementReferenceException.class);
    }

    void signIn(String page, String name) {
      driver.get(page);
      type("#name-input", name, Keys.ENTER);
      awaitOnline();
      await("the lobby", () -> List.of(text("#title")), "# lobby");
    }

    void awaitOnline() {
      await("online", () -> List.of(find("#status").getAttribute("data-state")), "online");
    }

    /** The transport the page uses or tries: {@code websocket} or {@code sse}. */
    String transport() {
      return find("#status").getAttribute("data-transport");
    }

    void send(String text) {
      type("#text", text, Keys.ENTER);
    }

    void awaitMessage(String text) {
      wait.withMessage(
              () -> "message \"" + text + "\" on the page; saw " + texts("#messages .text"))
          .until(d -> texts("#messages li.msg .text").contains(text));
    }

    void await(String what, Supplier<List<String>> actual, String... expected) {
      wait.withMessage(() -> what + ": expected " + List.of(expected) + ", saw " + actual.get())
          .until(d -> actual.get().equals(List.of(expected)));
    }

    /** The sidebar's left and right edges in CSS pixels, as "left,right". */
    String sidebarEdges() {
      return String.valueOf(driver.executeScript(SIDEBAR_EDGES));
    }

    WebElement find(String css) {
      return driver.findElement(By.cssSelector(css));
    }

    String text(String css) {
      return find(css).getText();
    }

    /** The message list: each message's text, each notice as {@code notice:REASON}. */
    List<String> shown() {
      return strings(driver.executeScript(SHOWN));
    }

    /** The seq of each message in the list, in order. */
    List<Long> seqs() {
      return strings(driver.executeScript(SEQS)).stream().map(Long::valueOf).toList();
    }

    private static List<String> strings(Object fromScript) {
      return ((List<?>) fromScript).stream().map(String::valueOf).toList();
    }

    List<String> texts(String css) {
      return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }

    void click(String css) {
      wait.withMessage(() -> css + " to be there")
          .until(d -> !d.findElements(By.cssSelector(css)).isEmpty());
      find(css).click();
    }

    void type(String css, CharSequence... keys) {
      WebElement field = find(css);
      field.sendKeys(keys);
    }

    void screenshot(String fileName) throws IOException {
      Path target = Path.of("target", fileName);
      Files.createDirectories(target.getParent());
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
      try {
        driver.quit();
      } finally {
        try (Stream<Path> files = Files.walk(profile)) {
          files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
