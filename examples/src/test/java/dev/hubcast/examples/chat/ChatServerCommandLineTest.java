package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@link ChatServer#main}'s command line when the chat cannot start: one line, exit code 1. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatServerCommandLineTest {

  @Test
  void redisNotListening_failsFast_inOneLineThatSaysWhatToDo() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // free again once closed: nothing listens there
    }

    long start = System.nanoTime();
    Run run = run("--port", "0", "--redis", "redis://127.0.0.1:" + closed);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(run.exit).isEqualTo(1);
    assertThat(took).isLessThan(Duration.ofSeconds(3));
    assertThat(run.err.lines())
        .containsExactly(
            "chat: cannot reach Redis at 127.0.0.1:"
                + closed
                + " (connection refused): start Redis there, or check the address given to"
                + " --redis");
    assertThat(run.out).isEmpty();
  }

  @Test
  void redisOnAnUnknownHost_failsInOneLine_neverShowingThePassword() {
    Run run = run("--port", "0", "--redis", "redis://:s3cret@no-such-host.invalid:6379");

    assertThat(run.exit).isEqualTo(1);
    assertThat(run.err.lines())
        .containsExactly(
            "chat: cannot reach Redis at no-such-host.invalid:6379 (unknown host): start Redis"
                + " there, or check the address given to --redis");
  }

  @Test
  void portInUse_failsInOneLineNamingTheAddress() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Run run = run("--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()));

      assertThat(run.exit).isEqualTo(1);
      assertThat(run.err.lines()).hasSize(1);
      assertThat(run.err).startsWith("chat: ").contains("127.0.0.1:" + taken.getLocalPort());
    }
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = ChatServer.commandLine();
    cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }
}
