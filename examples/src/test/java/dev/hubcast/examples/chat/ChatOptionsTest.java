package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.RateLimit;
import dev.hubcast.examples.chat.ChatOptions.Transport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

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
  void parse_metrics_takesAPort() {
    assertThat(ChatOptions.parse("--metrics", "9090").metricsPort()).hasValue(9090);
    assertThat(ChatOptions.parse().metricsPort()).isEmpty();
    assertThat(ChatOptions.DEFAULT.withMetrics(0).metricsPort()).hasValue(0);
    assertThatThrownBy(() -> ChatOptions.parse("--metrics", "70000"))
        .hasMessageContaining("--metrics: 70000 (expected: 0-65535)");
    assertThatThrownBy(() -> ChatOptions.parse("--metrics")).hasMessageContaining("--metrics");
  }

  @Test
  void parse_tls_takesACertificateAndItsKey_together() {
    ChatOptions tls = ChatOptions.parse("--tls-cert", "chain.pem", "--tls-key", "key.pem");
    assertThat(tls.tls())
        .contains(
            new ChatOptions.Tls(
                java.nio.file.Path.of("chain.pem"), java.nio.file.Path.of("key.pem")));
    assertThat(ChatOptions.parse().tls()).isEmpty();
    assertThatThrownBy(() -> ChatOptions.parse("--tls-cert", "chain.pem"))
        .hasMessageContaining("--tls-cert and --tls-key go together (given: --tls-cert alone)");
    assertThatThrownBy(() -> ChatOptions.parse("--tls-key", "key.pem"))
        .hasMessageContaining("(given: --tls-key alone)");
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
    assertThatThrownBy(() -> ChatOptions.parse("--port"))
        .hasMessageContaining("Missing required parameter for option '--port'");
    assertThatThrownBy(() -> ChatOptions.parse("--colour", "red"))
        .hasMessageContaining("Unknown options: '--colour'");
  }

  @Test
  void parse_aFlagTheChatDoesNotHave_isAnUnknownOption_notAMissingValue() {
    assertThatThrownBy(() -> ChatOptions.parse("--verbose"))
        .hasMessage("Unknown option: '--verbose'");
    assertThatThrownBy(() -> ChatOptions.parse("--port", "0", "--verbose"))
        .hasMessage("Unknown option: '--verbose'");
    Run run = run("--verbose");
    assertThat(run.exit).isEqualTo(2);
    assertThat(run.started).isNull();
    assertThat(run.err).startsWith("Unknown option: '--verbose'").doesNotContain("issing");
  }

  @Test
  void parse_aBarePort_isRefusedWithTheFlagToUse() {
    assertThatThrownBy(() -> ChatOptions.parse("8080"))
        .hasMessage(
            "Unmatched argument at index 0: '8080' (to listen on port 8080, use --port 8080)");
    Run run = run("8081");
    assertThat(run.exit).isEqualTo(2);
    assertThat(run.started).isNull();
    assertThat(run.err)
        .startsWith(
            "Unmatched argument at index 0: '8081' (to listen on port 8081, use --port 8081)")
        .contains("Usage: ChatServer");
    assertThat(run("--transport", "jetty", "chat").err)
        .startsWith("Unmatched argument at index 2: 'chat'")
        .doesNotContain("--port chat");
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
  void parse_rateLimit_defaultsTo20WithBurst40_and0IsNone() {
    assertThat(ChatOptions.DEFAULT.rateLimit()).isEqualTo(20);
    assertThat(ChatOptions.parse().hubRateLimit()).contains(RateLimit.of(20, 40));
    assertThat(ChatOptions.parse("--rate-limit", "5").hubRateLimit()).contains(RateLimit.of(5, 10));
    assertThat(ChatOptions.parse("--rate-limit=0").hubRateLimit()).isEmpty();
    assertThatThrownBy(() -> ChatOptions.parse("--rate-limit", "-1"))
        .hasMessageContaining("--rate-limit: -1");
    assertThatThrownBy(() -> ChatOptions.parse("--rate-limit", "fast"))
        .hasMessageContaining("--rate-limit");
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
          .hasMessageStartingWith("Invalid value for option '--redis': \"" + bad + "\"")
          .hasMessageContaining("expected: redis://HOST:PORT");
    }
    assertThatThrownBy(() -> ChatOptions.parse("--redis"))
        .hasMessageContaining("Missing required parameter for option '--redis'");
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
  void help_listsEveryFlag_andStartsNothing() {
    Run run = run("--help");
    assertThat(run.exit).isZero();
    assertThat(run.started).isNull();
    assertThat(run.out)
        .contains("Usage: ChatServer")
        .contains("--transport=jetty|netty", "(default: netty)")
        .contains("--host=HOST", "(default: localhost;")
        .contains("--port=PORT", "(default: 8080;")
        .contains("--history=N", "(default: 50)")
        .contains("--redis=redis://HOST:PORT", "(default: none,")
        .contains("--rate-limit=N", "(default: 20; 0 for no limit)")
        .contains("--version");
    // Only Netty serves the page's fallback: --help says so, and where.
    assertThat(run.out.replaceAll("\\s+", " "))
        .contains("on Netty also Server-Sent Events with POST at /sse")
        .contains("only netty serves the page's SSE fallback at /sse");
    assertThat(run("-h").out).isEqualTo(run.out);
  }

  @Test
  void version_printsTheBuildsVersion() {
    Run run = run("--version");
    assertThat(run.exit).isZero();
    assertThat(run.started).isNull();
    assertThat(run.out).matches("Hubcast chat \\d+\\.\\d+\\.\\d+\\S*\\R");
  }

  @Test
  void commandLine_startsWithTheOptionsRead() {
    Run run = run("--transport=jetty", "--port", "0", "--redis", "redis://h:1");
    assertThat(run.exit).isZero();
    assertThat(run.started)
        .isEqualTo(
            new ChatOptions(
                Transport.JETTY, "localhost", 0, 50, Optional.of(URI.create("redis://h:1"))));
  }

  @Test
  void commandLine_badFlag_exits2_withTheReasonAndTheHelp_neverAPassword() {
    for (String[] args :
        new String[][] {
          {"--redis", "redis://:s3cret@h:99999"},
          {"--redis", "redis://:s3cret@h:6379", "--port", "70000"},
          {"--redis=redis://:s3cret@h:6379", "--colour"}
        }) {
      Run run = run(args);
      assertThat(run.exit).as("%s", List.of(args)).isEqualTo(2);
      assertThat(run.started).isNull();
      assertThat(run.err).contains("Usage: ChatServer").doesNotContain("s3cret");
      assertThat(run.out).isEmpty();
    }
    assertThat(run("--port", "70000").err).startsWith("--port: 70000 (expected: 0-65535)");
  }

  /** What one run of the command line printed and started. */
  private record Run(int exit, String out, String err, ChatOptions started) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicReference<ChatOptions> started = new AtomicReference<>();
    CommandLine cli = ChatOptions.commandLine(started::set);
    cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString(), started.get());
  }
}
