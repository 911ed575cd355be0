package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.examples.chat.ChatOptions.Transport;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChatOptionsTest {

  @Test
  void parse_noFlags_isTheDefault() {
    assertThat(ChatOptions.parse())
        .isEqualTo(new ChatOptions(Transport.NETTY, "localhost", 8080, 50))
        .isEqualTo(ChatOptions.DEFAULT);
  }

  @Test
  void parse_everyFlag_bothSpellings() {
    assertThat(ChatOptions.parse("--transport", "jetty", "--host=0.0.0.0", "--port", "0"))
        .isEqualTo(new ChatOptions(Transport.JETTY, "0.0.0.0", 0, 50));
    assertThat(ChatOptions.parse("--history=7", "--transport=NETTY"))
        .isEqualTo(new ChatOptions(Transport.NETTY, "localhost", 8080, 7));
  }

  @Test
  void parse_badInput_namesTheFlag() {
    assertThatThrownBy(() -> ChatOptions.parse("--transport", "tomcat"))
        .hasMessageContaining("--transport")
        .hasMessageContaining("tomcat");
    assertThatThrownBy(() -> ChatOptions.parse("--port", "eighty")).hasMessageContaining("--port");
    assertThatThrownBy(() -> ChatOptions.parse("--port", "70000"))
        .hasMessageContaining("--port: 70000");
    assertThatThrownBy(() -> ChatOptions.parse("--history", "-1"))
        .hasMessageContaining("--history: -1");
    assertThatThrownBy(() -> ChatOptions.parse("--port")).hasMessageContaining("missing value");
    assertThatThrownBy(() -> ChatOptions.parse("--colour", "red"))
        .hasMessageContaining("unknown flag: --colour");
  }

  @Test
  void parse_redis_takesARedisAddress() {
    assertThat(ChatOptions.DEFAULT.redis()).isEmpty();
    assertThat(ChatOptions.parse("--redis", "redis://127.0.0.1:6379").redis())
        .contains(URI.create("redis://127.0.0.1:6379"));
    assertThat(ChatOptions.parse("--port=8081", "--redis=redis://cache.internal").redis())
        .contains(URI.create("redis://cache.internal"));
    assertThat(ChatOptions.parse("--redis", "rediss://h:6380/2").redis()).isPresent();
    assertThat(ChatOptions.parse("--port", "0", "--redis", "redis://h:1"))
        .isEqualTo(
            new ChatOptions(
                Transport.NETTY, "localhost", 0, 50, Optional.of(URI.create("redis://h:1"))));
  }

  @Test
  void parse_badRedis_namesTheFlagAndTheValue() {
    for (String bad :
        new String[] {
          "localhost:6379",
          "http://localhost:6379",
          "redis://",
          "redis://h:70000",
          "redis://h:port",
          "redis://h:6379/x",
          "redis://h:6379?db=1",
          "redis://a b",
          ""
        }) {
      assertThatThrownBy(() -> ChatOptions.parse("--redis", bad))
          .as("--redis %s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--redis: \"" + bad + "\"")
          .hasMessageContaining("expected: redis://HOST:PORT");
    }
    assertThatThrownBy(() -> ChatOptions.parse("--redis")).hasMessageContaining("missing value");
  }

  @Test
  void parse_badRedis_neverShowsAPassword() {
    assertThatThrownBy(() -> ChatOptions.parse("--redis", "redis://:s3cret@h:99999"))
        .hasMessageContaining("redis://***@h:99999")
        .hasMessageNotContaining("s3cret");
    assertThat(ChatOptions.parse("--redis", "redis://:s3cret@h:6379").toString())
        .contains("redis://***@h:6379")
        .doesNotContain("s3cret");
  }

  @Test
  void usage_listsEveryFlag() {
    assertThat(ChatOptions.USAGE)
        .contains("--transport", "--host", "--port", "--history", "--redis redis://HOST:PORT");
  }
}
