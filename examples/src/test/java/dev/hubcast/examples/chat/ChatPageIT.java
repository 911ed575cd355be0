package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in headless Chromium: two people chat in the lobby, one sends the other a private
 * message, a notice says messages may be missing, one moves to another room, a reload shows the
 * history, and a server restart is ridden out by the page's reconnect. Screenshots go to {@code
 * target/chat-screenshot*.png}.
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
    assertThat(alice.text("#banner-text")).contains("Reconnecting in");
    alice.screenshot("chat-screenshot-reconnecting.png");
    startServer(port);
    alice.awaitOnline();
    alice.await("alice back in #dev", () -> List.of(alice.text("#title")), "# dev");
    alice.send("Back after the restart.");
    alice.awaitMessage("Back after the restart.");
  }

  private ChatServer startServer(int port) {
    ChatOptions options = new ChatOptions(ChatOptions.Transport.NETTY, "127.0.0.1", port, 50);
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

  private Browser browser(int width, int height) throws IOException {
    Browser browser = new Browser(width, height);
    open.add(browser);
    return browser;
  }

  /** One headless Chromium with its own fresh profile. */
  private static final class Browser implements AutoCloseable {
    final ChromeDriver driver;
    final Path profile;
    final WebDriverWait wait;

    Browser(int width, int height) throws IOException {
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
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(new File(DRIVER))
              .usingAnyFreePort()
              .build();
      driver = new ChromeDriver(service, options);
      wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
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
