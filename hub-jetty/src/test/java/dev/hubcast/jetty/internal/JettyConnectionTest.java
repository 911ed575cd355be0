package dev.hubcast.jetty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The send path against a recording Jetty session: what reaches {@code sendFrame}, and how. */
@Timeout(10)
class JettyConnectionTest {

  private final ScheduledExecutorScheduler scheduler =
      new ScheduledExecutorScheduler("test-scheduler", true);
  private Hub<String> hub;

  @BeforeEach
  void setUp() throws Exception {
    scheduler.start();
    hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.NONE).build());
  }

  @AfterEach
  void tearDown() throws Exception {
    // The recording sessions never report a close: do not wait for them.
    hub.shutdown(Duration.ZERO);
    scheduler.stop();
  }

  /** A Jetty session that records the frames handed to it and completes them at once. */
  static final class RecordingSession extends CoreSession.Empty {
    final List<org.eclipse.jetty.websocket.core.Frame> sent = new CopyOnWriteArrayList<>();
    volatile boolean open = true;
    volatile int completions = 1; // how many times to complete each send's callback

    @Override
    public void sendFrame(
        org.eclipse.jetty.websocket.core.Frame frame, Callback callback, boolean batch) {
      if (!open) {
        callback.failed(new ClosedChannelException());
        return;
      }
      sent.add(frame);
      for (int i = 0; i < completions; i++) {
        callback.succeeded();
      }
    }

    @Override
    public boolean isOutputOpen() {
      return open;
    }

    @Override
    public void close(int statusCode, String reason, Callback callback) {
      open = false;
      callback.succeeded();
    }
  }

  private List<RecordingSession> open(int n) {
    List<RecordingSession> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Admission admission =
          Acceptor.of(hub)
              .admit(
                  Handshake.of("/ws", "", Map.of(), new InetSocketAddress("127.0.0.1", 40000 + i)));
      JettyConnection connection =
          new JettyConnection(
              admission.connectionId(),
              admission.handshake(),
              Acceptor.of(hub),
              scheduler,
              new JettyWriteRounds(
                  Runnable::run,
                  Acceptor.of(hub))); // rounds run inline: sends reach the session now
      RecordingSession session = new RecordingSession();
      connection.onOpen(session, Callback.NOOP);
      sessions.add(session);
    }
    return sessions;
  }

  @Test
  void broadcast_everyRecipientSendsAViewOfOneSharedBuffer() {
    List<RecordingSession> sessions = open(3);
    Message frame = Message.text("hello, everyone");
    // The test owns the bytes behind the shared wire form, to see whether recipients copy them.
    ByteBuffer backing = ByteBuffer.wrap(frame.toByteArray());
    ByteBuffer shared = frame.wireForm(WirePayloads.PAYLOAD, f -> backing.asReadOnlyBuffer());

    assertThat(hub.broadcastMessage(Target.all(), frame).queued()).isEqualTo(3);

    List<ByteBuffer> payloads = new ArrayList<>();
    for (RecordingSession s : sessions) {
      assertThat(s.sent).hasSize(1);
      org.eclipse.jetty.websocket.core.Frame wire = s.sent.get(0);
      assertThat(wire.getOpCode()).isEqualTo(OpCode.TEXT);
      assertThat(wire.isFin()).isTrue();
      payloads.add(wire.getPayload());
    }
    // Each recipient has its own buffer object (its own position), read-only...
    for (int i = 0; i < payloads.size(); i++) {
      assertThat(payloads.get(i)).isNotSameAs(shared);
      for (int j = i + 1; j < payloads.size(); j++) {
        assertThat(payloads.get(i)).isNotSameAs(payloads.get(j));
      }
    }
    assertThat(payloads).allSatisfy(p -> assertThat(p.isReadOnly()).isTrue());
    // ...over the very same bytes: a change to them shows through every recipient's payload.
    backing.put(0, (byte) 'J');
    assertThat(payloads).allSatisfy(p -> assertThat(p.get(p.position())).isEqualTo((byte) 'J'));
    // And the wire form was not rebuilt.
    assertThat(frame.wireForm(WirePayloads.PAYLOAD, f -> ByteBuffer.allocate(0))).isSameAs(shared);
  }

  @Test
  void broadcast_wireFormIsBuiltOncePerFrame() {
    List<RecordingSession> sessions = open(4);
    Message frame = Message.text("x".repeat(100));
    AtomicInteger built = new AtomicInteger();
    // Build it the adapter's way, counting: later sends must reuse it.
    ByteBuffer shared =
        frame.wireForm(
            WirePayloads.PAYLOAD,
            f -> {
              built.incrementAndGet();
              return WirePayloads.build(f);
            });
    hub.broadcastMessage(Target.all(), frame);
    hub.broadcastMessage(Target.all(), frame);
    assertThat(built).hasValue(1);
    for (RecordingSession s : sessions) {
      assertThat(s.sent).hasSize(2);
      assertThat(s.sent)
          .allSatisfy(w -> assertThat(w.getPayload()).isEqualTo(shared).isNotSameAs(shared));
    }
  }

  @Test
  void binaryFrame_goesOutAsBinary() {
    List<RecordingSession> sessions = open(1);
    hub.broadcastMessage(Target.all(), Message.binary(new byte[] {1, 2, 3}));
    assertThat(sessions.get(0).sent.get(0).getOpCode()).isEqualTo(OpCode.BINARY);
  }

  @Test
  void send_completedTwiceByJetty_reachesTheHubOnce() {
    List<RecordingSession> sessions = open(1);
    sessions.get(0).completions = 2;
    hub.broadcast(Target.all(), "once");
    assertThat(hub.metrics().framesOut()).isEqualTo(1);
    assertThat(hub.metrics().pendingFrames()).isZero();
  }

  @Test
  void send_afterJettyClosed_failsOnce_andTheHubDropsTheConnection() {
    List<RecordingSession> sessions = open(1);
    sessions.get(0).open = false;
    hub.broadcast(Target.all(), "too late");
    assertThat(hub.metrics().sendFailures()).isEqualTo(1);
    assertThat(hub.metrics().pendingFrames()).isZero();
    assertThat(hub.clients()).isEmpty();
  }
}
