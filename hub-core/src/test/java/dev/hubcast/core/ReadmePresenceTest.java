package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's presence example is this test's code, line for line, and does what it says. */
@Timeout(30)
class ReadmePresenceTest {

  @Test
  void theReadmesPresenceExample_runs() throws Exception {
    // README: begin
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .authenticator(h -> AuthResult.user(h.queryParam("user").orElse("guest")))
                .presence(
                    PresenceConfig.<String>builder(
                            snapshot -> "here: " + snapshot.count(),
                            diff -> "+" + diff.joined().size() + " -" + diff.left().size())
                        .grace(Duration.ofSeconds(2)) // a reload does not flap
                        .build())
                .build());
    // README: end
    try {
      FakeConnection ada = FakeConnection.open(hub, "127.0.0.1", "user=ada");
      hub.join(ada.id(), "lobby");
      await().atMost(Duration.ofSeconds(10)).until(() -> ada.texts().contains("here: 1"));
      FakeConnection bob = FakeConnection.open(hub, "127.0.0.1", "user=bob");
      hub.join(bob.id(), "lobby");
      await().atMost(Duration.ofSeconds(10)).until(() -> ada.texts().contains("+1 -0"));
      assertThat(hub.presence("lobby").count()).isEqualTo(2);
    } finally {
      hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theReadmeShowsThisCode() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    int start = readme.indexOf("## Presence");
    String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
    Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(block.find()).as("a Java block in the README's Presence section").isTrue();
    String source =
        Files.readString(Path.of("src/test/java/dev/hubcast/core/ReadmePresenceTest.java"));
    String ours =
        source.substring(
            source.indexOf("// README: begin") + 16, source.indexOf("    // README: end"));
    assertThat(normalize(block.group(1))).isEqualTo(normalize(ours));
  }

  private static String normalize(String code) {
    return code.lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .collect(Collectors.joining("\n"));
  }
}
