package dev.hubcast.examples.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chat server in a JVM of its own, started as a user starts it ({@link ChatServer#main} with
 * flags) on the test's class path, so that a test can kill it the way a crash does: {@link #kill()}
 * sends SIGKILL, and the server gets no chance to close a connection or to leave Redis tidy. What
 * it prints goes to {@code target/<name>.log}.
 *
 * <p>Thread-safe: one thread reads the server's output; the methods may be called from any thread.
 */
final class ChatServerProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("open http://[^/]*:(\\d+)/");

  private final Process process;
  private final int port;

  private ChatServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts {@code java ... ChatServer FLAGS} and returns once it prints the address it listens on.
   *
   * @param name names the log file
   * @param flags the chat's command-line flags, such as {@code --port 0 --redis redis://...}
   */
  static ChatServerProcess start(String name, long timeoutMillis, String... flags)
      throws IOException, InterruptedException, TimeoutException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ChatServer.class.getName());
    command.addAll(List.of(flags));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Path log = Path.of("target", name + ".log");
    Files.createDirectories(log.getParent());
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(() -> readOutput(process, log, listening), "chat-process-output-" + name);
    reader.setDaemon(true);
    reader.start();
    try {
      int port = listening.get(timeoutMillis, TimeUnit.MILLISECONDS);
      return new ChatServerProcess(process, port);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      process.destroyForcibly().waitFor();
      throw new TimeoutException(
          "the chat process did not say where it listens within "
              + timeoutMillis
              + " ms (see "
              + log
              + ")");
    }
  }

  private static void readOutput(Process process, Path log, CompletableFuture<Integer> listening) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        out.flush();
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          listening.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      listening.completeExceptionally(e);
    } finally {
      listening.completeExceptionally(new IOException("the chat process ended"));
    }
  }

  /** The port the chat listens on. */
  int port() {
    return port;
  }

  /** Kills the process (SIGKILL, no shutdown hook runs) and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
