package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.HubMetrics.TransportViolation;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SPI rules the hub can see an adapter break: each is counted in {@link
 * HubMetrics#transportViolations()} by rule, logged once per connection, and the hub stays
 * consistent. The adapter here is a script: it does only what each test tells it.
 */
@Timeout(30)
class TransportViolationsTest {

  private final List<Hub<?>> hubs = new ArrayList<>();

  private Hub<String> hub(HubConfig.Builder<String> config) {
    Hub<String> hub = Hub.create(config.build());
    hubs.add(hub);
    return hub;
  }

  @AfterEach
  void shutdown() throws Exception {
    for (Hub<?> h : hubs) {
      h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A connection that records sends and completes nothing by itself; a close it is asked for is
   * reported back, as a peer answering it. Thread-safe.
   */
  static class Scripted implements Connection {
    final String id;
    final Handshake handshake;
    final List<Message> sent = new CopyOnWriteArrayList<>();
    final List<SendCompletion> completions = new CopyOnWriteArrayList<>();
    final AtomicInteger closes = new AtomicInteger();
    volatile Inbound inbound;

    Scripted(Admission admission) {
      this.id = admission.connectionId();
      this.handshake = admission.handshake();
    }

    static Scripted open(Hub<?> hub) {
      Acceptor acceptor = Acceptor.of(hub);
      Scripted c =
          new Scripted(acceptor.admit(FakeConnection.handshake("127.0.0.1", "", Map.of())));
      c.inbound = acceptor.open(c);
      return c;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Handshake handshake() {
      return handshake;
    }

    /** How many times each send completes itself, with success, before it returns. */
    volatile int completionsWithinSend;

    @Override
    public void send(Message frame, SendCompletion completion) {
      sent.add(frame);
      completions.add(completion);
      for (int i = 0; i < completionsWithinSend; i++) {
        completion.complete(frame, null);
      }
    }

    /** Completes the {@code i}-th send with success. */
    void complete(int i) {
      completions.get(i).complete(sent.get(i), null);
    }

    @Override
    public void close(int code, String reason) {
      if (closes.incrementAndGet() == 1 && inbound != null) {
        inbound.onClose(code, reason);
      }
    }

    @Override
    public boolean isOpen() {
      return true;
    }
  }

  private static Map<TransportViolation, Long> violations(Hub<?> hub) {
    return hub.metrics().transportViolationsByRule();
  }

  @Test
  void closeReportedTwice_isCountedAndTheHandlerHearsOnce() {
    AtomicInteger onClose = new AtomicInteger();
    Hub<String> hub =
        hub(
            HubConfig.textBuilder()
                .handler(
                    new HubHandler<>() {
                      @Override
                      public void onClose(Hub<String> h, Client c, int code, String reason) {
                        onClose.incrementAndGet();
                      }
                    }));
    Scripted c = Scripted.open(hub);

    c.inbound.onClose(CloseCodes.NORMAL, "");
    c.inbound.onClose(CloseCodes.NORMAL, "");

    assertThat(onClose).hasValue(1);
    assertThat(violations(hub)).containsEntry(TransportViolation.CLOSE_REPORTED_TWICE, 1L);
    assertThat(hub.metrics().transportViolations()).isEqualTo(1);
    assertThat(hub.metrics().closesByCode()).containsEntry(CloseCodes.NORMAL, 1L);
  }

  @Test
  void messageOrErrorAfterClose_isIgnoredAndCounted() {
    Hub<String> hub = hub(HubConfig.textBuilder()); // relays to all
    Scripted c = Scripted.open(hub);
    FakeConnection other = FakeConnection.open(hub, "127.0.0.1", "");

    c.inbound.onClose(CloseCodes.NORMAL, "");
    c.inbound.onMessage(Message.text("late"));
    c.inbound.onError(new IOException("late"));

    assertThat(other.texts()).isEmpty();
    assertThat(hub.metrics().framesIn()).isZero();
    assertThat(violations(hub)).containsEntry(TransportViolation.REPORT_AFTER_CLOSE, 2L);
  }

  @Test
  void completionTwice_isCountedAndTheAccountingHolds() {
    Hub<String> hub = hub(HubConfig.textBuilder());
    Scripted c = Scripted.open(hub);
    hub.broadcast(Target.all(), "one");
    hub.broadcast(Target.all(), "two");

    c.complete(0);
    c.complete(0);

    HubMetrics m = hub.metrics();
    assertThat(m.transportViolationsByRule())
        .containsEntry(TransportViolation.COMPLETION_NOT_IN_FLIGHT, 1L);
    assertThat(m.framesOut()).isEqualTo(1);
    assertThat(m.pendingFrames()).as("two is still in flight").isEqualTo(1);
    c.complete(1);
    assertThat(hub.metrics().pendingFrames()).isZero();
    assertThat(hub.metrics().framesOut()).isEqualTo(2);
  }

  @Test
  void completionTwiceWithinTheSend_isCountedAndTheAccountingHolds() {
    Hub<String> hub = hub(HubConfig.textBuilder());
    Scripted c = Scripted.open(hub);
    c.completionsWithinSend = 2;
    hub.broadcast(Target.all(), "one");
    hub.broadcast(Target.all(), "one"); // the same text: equal frames, each its own instance

    HubMetrics m = hub.metrics();
    assertThat(m.transportViolationsByRule())
        .containsEntry(TransportViolation.COMPLETION_NOT_IN_FLIGHT, 2L);
    assertThat(m.framesOut()).isEqualTo(2);
    assertThat(m.pendingFrames()).isZero();
  }

  @Test
  void sendsCompletedWithinAndAfterTheirSend_keepTheAccounting() {
    Hub<String> hub = hub(HubConfig.textBuilder());
    Scripted c = Scripted.open(hub);
    hub.broadcast(Target.all(), "later");
    c.completionsWithinSend = 1;
    hub.broadcast(Target.all(), "at once");
    c.completionsWithinSend = 0;
    hub.broadcast(Target.all(), "later too");

    assertThat(hub.metrics().framesOut()).isEqualTo(1);
    assertThat(hub.metrics().pendingFrames()).isEqualTo(2);
    c.complete(0);
    c.complete(2);
    assertThat(hub.metrics().framesOut()).isEqualTo(3);
    assertThat(hub.metrics().pendingFrames()).isZero();
    assertThat(violations(hub)).containsEntry(TransportViolation.COMPLETION_NOT_IN_FLIGHT, 0L);
  }

  @Test
  void completionOfAFrameNeverSent_isCountedAndIgnored() {
    Hub<String> hub = hub(HubConfig.textBuilder());
    Scripted c = Scripted.open(hub);
    hub.broadcast(Target.all(), "sent");
    Message equalButNotSent = Message.text("sent");

    c.completions.get(0).complete(equalButNotSent, null);

    HubMetrics m = hub.metrics();
    assertThat(m.transportViolationsByRule())
        .containsEntry(TransportViolation.COMPLETION_NOT_IN_FLIGHT, 1L);
    assertThat(m.framesOut()).isZero();
    assertThat(m.pendingFrames()).isEqualTo(1);
  }

  @Test
  void oversizeMessage_isCountedAndClosedWith1009() {
    Hub<String> hub = hub(HubConfig.textBuilder().maxMessageBytes(8));
    FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "");

    c.inbound().onMessage(Message.text("123456789"));

    assertThat(c.closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    assertThat(violations(hub)).containsEntry(TransportViolation.OVERSIZE_MESSAGE, 1L);
  }

  @Test
  void sendsLeftUncompletedAfterTheClose_areCountedACloseTimeoutLater() {
    Hub<String> hub = hub(HubConfig.textBuilder().closeTimeout(Duration.ofMillis(100)));
    Scripted c = Scripted.open(hub);
    hub.broadcast(Target.all(), "never completed");

    c.inbound.onClose(CloseCodes.ABNORMAL, "");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> violations(hub).get(TransportViolation.SENDS_UNCOMPLETED_AFTER_CLOSE) == 1L);
  }

  @Test
  void sendsFailedAtTheClose_areNoViolation() {
    Hub<String> hub = hub(HubConfig.textBuilder().closeTimeout(Duration.ofMillis(50)));
    FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "");
    c.hold();
    hub.broadcast(Target.all(), "held");

    c.peerClosed(CloseCodes.ABNORMAL); // fails the held send, as the rule asks

    assertThat(c.heldCount()).isZero();
    // Past the check's deadline, with a marker hub whose check runs after it: nothing counted.
    Hub<String> later = hub(HubConfig.textBuilder().closeTimeout(Duration.ofMillis(200)));
    Scripted marker = Scripted.open(later);
    later.broadcast(Target.all(), "marker");
    marker.inbound.onClose(CloseCodes.ABNORMAL, "");
    await().atMost(Duration.ofSeconds(5)).until(() -> later.metrics().transportViolations() == 1);
    assertThat(hub.metrics().transportViolations()).isZero();
    assertThat(hub.metrics().sendFailures()).isEqualTo(1);
  }

  @Test
  void sendOrCloseThatThrows_isCounted() {
    // Its close is never reported: the shutdown waits a close timeout for it.
    Hub<String> hub = hub(HubConfig.textBuilder().closeTimeout(Duration.ofMillis(100)));
    Acceptor acceptor = Acceptor.of(hub);
    Scripted broken =
        new Scripted(acceptor.admit(FakeConnection.handshake("127.0.0.1", "", Map.of()))) {
          @Override
          public void send(Message frame, SendCompletion completion) {
            throw new IllegalStateException("adapter bug (expected by test)");
          }

          @Override
          public void close(int code, String reason) {
            throw new IllegalStateException("adapter bug on close (expected by test)");
          }
        };
    acceptor.open(broken);

    hub.broadcast(Target.all(), "x");

    assertThat(violations(hub))
        .containsEntry(TransportViolation.SEND_THREW, 1L)
        .containsEntry(TransportViolation.CLOSE_THREW, 1L);
    assertThat(hub.metrics().pendingFrames()).isZero();
    assertThat(hub.clients()).isEmpty();
  }

  @Test
  void aCorrectAdapter_causesNoViolation() {
    Hub<String> hub = hub(HubConfig.textBuilder());
    FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
    FakeConnection b = FakeConnection.open(hub, "127.0.0.1", "");
    b.hold();

    a.inbound().onMessage(Message.text("hi"));
    hub.broadcast(Target.all(), "all");
    hub.disconnect(b.id(), 4000, "bye");
    a.peerClosed(CloseCodes.NORMAL);

    assertThat(b.texts()).isEmpty();
    assertThat(hub.metrics().transportViolations()).isZero();
    assertThat(violations(hub).values()).containsOnly(0L);
  }

  @Test
  void eachRule_isLoggedOncePerConnection_withoutThePayload() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Hub<String> hub = hub(HubConfig.textBuilder());
    try {
      Scripted c = Scripted.open(hub);
      c.inbound.onClose(CloseCodes.NORMAL, "");
      for (int i = 0; i < 3; i++) {
        c.inbound.onMessage(Message.text("secret-payload-" + i));
        c.inbound.onClose(CloseCodes.NORMAL, "");
      }
    } finally {
      System.setErr(original);
    }

    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs.split("REPORT_AFTER_CLOSE", -1)).hasSize(2);
    assertThat(logs.split("CLOSE_REPORTED_TWICE", -1)).hasSize(2);
    assertThat(logs).doesNotContain("secret-payload");
    assertThat(violations(hub))
        .containsEntry(TransportViolation.REPORT_AFTER_CLOSE, 3L)
        .containsEntry(TransportViolation.CLOSE_REPORTED_TWICE, 3L);
  }
}
