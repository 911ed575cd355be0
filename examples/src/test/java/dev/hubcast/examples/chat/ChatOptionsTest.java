package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.examples.chat.ChatOptions.Transport;
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
}
