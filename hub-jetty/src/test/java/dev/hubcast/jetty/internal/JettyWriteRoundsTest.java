package dev.hubcast.jetty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The write rounds against recording Jetty sessions, with an executor the test runs by hand: what a
 * round hands to Jetty, in which order, and when it flushes.
 */
@Timeout(10)
class JettyWriteRoundsTest {

  private final ScheduledExecutorScheduler scheduler =
      new ScheduledExecutorScheduler("test-scheduler", true);
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private final Executor manual = tasks::add;
  private Hub<String> hub;

  @BeforeEach
  void setUp() throws Exception {
    scheduler.start();
    hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.NONE).build());
  }

  @AfterEach
  void tearDown() throws Exception {
    hub.shutdown(Duration.ZERO);
    scheduler.stop();
  }

  /** Records what reaches Jetty, as "text:batch", "flush" and "close:code". */
  static final class EventSession extends CoreSession.Empty {
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile boolean open = true;

    @Override
    public void sendFrame(
        org.eclipse.jetty.websocket.core.Frame frame, Callback callback, boolean batch) {
      events.add(StandardCharsets.UTF_8.decode(frame.getPayload().duplicate()) + ":" + batch);
      callback.succeeded(); // as Jetty does once it has gathered a batched frame
    }

    @Override
    public void flush(Callback callback) {
      events.add("flush");
      callback.succeeded();
    }

    @Override
    public boolean isOutputOpen() {
      return open;
    }

    @Override
    public void close(int statusCode, String reason, Callback callback) {
      events.add("close:" + statusCode);
      open = false;
      callback.succeeded();
    }
  }

  private EventSession open(JettyWriteRounds rounds, int port) {
    Admission admission =
        Acceptor.of(hub)
            .admit(Handshake.of("/ws", "", Map.of(), new InetSocketAddress("127.0.0.1", port)));
    JettyConnection connection =
        new JettyConnection(
            admission.connectionId(), admission.handshake(), Acceptor.of(hub), scheduler, rounds);
    EventSession session = new EventSession();
    connection.onOpen(session, Callback.NOOP);
    return session;
  }

  private int runTasks() {
    int ran = 0;
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
      ran++;
    }
    return ran;
  }

  @Test
  void sendsQueuedBeforeARound_goOutBatched_withOneFlushPerConnection() {
    JettyWriteRounds rounds = new JettyWriteRounds(manual, Acceptor.of(hub));
    EventSession a = open(rounds, 40001);
    EventSession b = open(rounds, 40002);

    for (int i = 1; i <= 3; i++) {
      hub.broadcast(Target.all(), "m" + i);
    }
    // Nothing is written on the broadcasting thread.
    assertThat(a.events).isEmpty();
    assertThat(b.events).isEmpty();

    assertThat(runTasks()).isEqualTo(1); // one round was scheduled, however many sends
    for (EventSession s : List.of(a, b)) {
      assertThat(s.events).containsExactly("m1:true", "m2:true", "m3:true", "flush");
    }
    assertThat(hub.metrics().framesOut()).isEqualTo(6);
    assertThat(hub.metrics().pendingFrames()).isZero();
  }

  @Test
  void close_goesOutAfterTheFramesSentBeforeIt() {
    JettyWriteRounds rounds = new JettyWriteRounds(manual, Acceptor.of(hub));
    EventSession a = open(rounds, 40001);
    String id = hub.clients().iterator().next().id();

    hub.send(id, "last words");
    hub.disconnect(id, 4000, "bye");
    assertThat(a.events).isEmpty();

    runTasks();
    assertThat(a.events).containsExactly("last words:true", "close:4000", "flush");
  }

  @Test
  void eachRound_writesWhatWasSentSinceTheLast() {
    JettyWriteRounds rounds = new JettyWriteRounds(manual, Acceptor.of(hub));
    EventSession a = open(rounds, 40001);

    hub.broadcast(Target.all(), "one");
    runTasks();
    hub.broadcast(Target.all(), "two");
    hub.broadcast(Target.all(), "three");
    runTasks();

    assertThat(a.events).containsExactly("one:true", "flush", "two:true", "three:true", "flush");
  }

  @Test
  void rejectedByTheExecutor_theRoundRunsOnTheCaller() {
    JettyWriteRounds rounds =
        new JettyWriteRounds(
            task -> {
              throw new RejectedExecutionException("stopping");
            },
            Acceptor.of(hub));
    EventSession a = open(rounds, 40001);

    hub.broadcast(Target.all(), "still delivered");

    assertThat(a.events).containsExactly("still delivered:true", "flush");
  }

  @Test
  void manyConnections_shareOneRound_andEachIsFlushedOnce() {
    JettyWriteRounds rounds = new JettyWriteRounds(manual, Acceptor.of(hub));
    List<EventSession> sessions = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sessions.add(open(rounds, 41000 + i));
    }
    for (int i = 0; i < 10; i++) {
      hub.broadcast(Target.all(), "x" + i);
    }

    assertThat(runTasks()).isEqualTo(1);
    assertThat(sessions)
        .allSatisfy(
            s -> {
              assertThat(s.events).hasSize(11).endsWith("flush");
              assertThat(s.events.stream().filter("flush"::equals)).hasSize(1);
            });
  }
}
