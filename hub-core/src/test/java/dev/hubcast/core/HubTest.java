package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HubTest {

  private final List<Hub<?>> hubs = new ArrayList<>();

  private <M> Hub<M> hub(HubConfig.Builder<M> config) {
    Hub<M> hub = Hub.create(config.build());
    hubs.add(hub);
    return hub;
  }

  @AfterEach
  void shutdown() throws Exception {
    for (Hub<?> h : hubs) {
      h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }

  private static FakeConnection open(Hub<?> hub) {
    return FakeConnection.open(hub, "127.0.0.1", "");
  }

  @Nested
  class Admit {

    @Test
    void admit_assignsUniqueIdsPrefixedByNode() {
      Hub<String> hub = hub(HubConfig.textBuilder().nodeId("node1"));
      FakeConnection a = open(hub);
      FakeConnection b = open(hub);

      assertThat(a.id()).startsWith("node1-").isNotEqualTo(b.id());
      assertThat(hub.clients()).hasSize(2);
    }

    @Test
    void admit_refusesOriginWith403() {
      Hub<String> hub =
          hub(HubConfig.textBuilder().originPolicy(OriginPolicy.allow("https://ok.example")));
      Admission a =
          Acceptor.of(hub)
              .admit(
                  FakeConnection.handshake(
                      "127.0.0.1", "", Map.of("Origin", List.of("https://evil.example"))));

      assertThat(a.status()).isEqualTo(403);
      assertThat(hub.metrics().refusedHandshakes()).isEqualTo(1);
    }

    @Test
    void admit_authenticatorThatThrows_is500AndCounted() {
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .authenticator(
                      h -> {
                        throw new IllegalStateException("auth backend down");
                      }));

      Admission a = Acceptor.of(hub).admit(FakeConnection.handshake("127.0.0.1", "", Map.of()));

      assertThat(a.status()).isEqualTo(500);
      assertThat(hub.metrics().refusedHandshakes()).isEqualTo(1);
      assertThat(hub.metrics().handlerErrors()).isEqualTo(1);
    }

    @Test
    void admit_perAddressCap_is429AndFreesOnClose() {
      Hub<String> hub = hub(HubConfig.textBuilder().maxConnectionsPerAddress(2));
      FakeConnection a = FakeConnection.open(hub, "10.1.1.1", "");
      FakeConnection.open(hub, "10.1.1.1", "");

      assertThat(
              Acceptor.of(hub).admit(FakeConnection.handshake("10.1.1.1", "", Map.of())).status())
          .isEqualTo(429);
      assertThat(
              Acceptor.of(hub)
                  .admit(FakeConnection.handshake("10.1.1.2", "", Map.of()))
                  .isAdmitted())
          .isTrue();

      a.peerClosed(CloseCodes.NORMAL);
      assertThat(
              Acceptor.of(hub)
                  .admit(FakeConnection.handshake("10.1.1.1", "", Map.of()))
                  .isAdmitted())
          .isTrue();
    }

    @Test
    void admit_totalCap_is503_andOpenRaceClosesWith1013() {
      Hub<String> hub = hub(HubConfig.textBuilder().maxConnections(1));
      // Two handshakes pass the check before either opens: the cap holds at open.
      Admission first = Acceptor.of(hub).admit(FakeConnection.handshake("127.0.0.1", "", Map.of()));
      Admission second =
          Acceptor.of(hub).admit(FakeConnection.handshake("127.0.0.1", "", Map.of()));
      assertThat(first.isAdmitted()).isTrue();
      assertThat(second.isAdmitted()).isTrue();
      FakeConnection.open(hub, "127.0.0.1", "");

      assertThat(
              Acceptor.of(hub).admit(FakeConnection.handshake("127.0.0.1", "", Map.of())).status())
          .isEqualTo(503);
      assertThatThrownBy(() -> FakeConnection.open(hub, "127.0.0.1", ""))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("503");
    }

    @Test
    void admit_afterShutdown_is503() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      hub.shutdown(Duration.ZERO);

      assertThat(
              Acceptor.of(hub).admit(FakeConnection.handshake("127.0.0.1", "", Map.of())).status())
          .isEqualTo(503);
    }
  }

  @Nested
  class Broadcasting {

    @Test
    void broadcast_encodesOnceAndSharesTheFrame() {
      AtomicInteger encodes = new AtomicInteger();
      MessageCodec<String> counting =
          new MessageCodec<>() {
            @Override
            public Message encode(String message) {
              encodes.incrementAndGet();
              return Message.text(message);
            }

            @Override
            public String decode(Message frame) {
              return frame.text();
            }
          };
      Hub<String> hub = hub(HubConfig.builder(counting));
      List<FakeConnection> conns = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        conns.add(open(hub));
      }

      BroadcastReceipt receipt = hub.broadcast(Target.all(), "once");

      assertThat(encodes).hasValue(1);
      assertThat(receipt).isEqualTo(BroadcastReceipt.of(50, 0, 0, 0));
      Message shared = conns.get(0).frames().get(0);
      for (FakeConnection c : conns) {
        assertThat(c.frames()).singleElement().isSameAs(shared);
      }
    }

    @Test
    void policyAll_relaysTheInboundFrameItself() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
      FakeConnection a = open(hub);
      FakeConnection b = open(hub);
      Message in = Message.text("hi");

      a.inbound().onMessage(in);

      assertThat(a.frames()).singleElement().isSameAs(in);
      assertThat(b.frames()).singleElement().isSameAs(in);
      assertThat(hub.metrics().framesIn()).isEqualTo(1);
      assertThat(hub.metrics().bytesIn()).isEqualTo(2);
    }

    @Test
    void policyAllExceptSender_skipsSender() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER));
      FakeConnection a = open(hub);
      FakeConnection b = open(hub);

      a.inbound().onMessage(Message.text("hi"));

      assertThat(a.texts()).isEmpty();
      assertThat(b.texts()).containsExactly("hi");
    }

    @Test
    void policyNone_relaysNothing() {
      Hub<String> hub = hub(HubConfig.textBuilder().policy(BroadcastPolicy.NONE));
      FakeConnection a = open(hub);

      a.inbound().onMessage(Message.text("hi"));

      assertThat(a.texts()).isEmpty();
      assertThat(hub.metrics().framesIn()).isEqualTo(1);
    }

    @Test
    void broadcast_toNoOne_isEmptyReceipt() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      assertThat(hub.broadcast(Target.room("nobody"), "x"))
          .isEqualTo(BroadcastReceipt.of(0, 0, 0, 1));
      assertThat(hub.broadcast(Target.user("nobody"), "x").recipients()).isZero();
    }

    @Test
    void broadcast_afterShutdown_deliversNothing_andNeverThrows() throws Exception {
      Hub<String> hub = hub(HubConfig.textBuilder().historySize(10));
      FakeConnection a = open(hub);
      hub.shutdown(Duration.ZERO);

      assertThat(hub.broadcast(Target.all(), "late").isShutDown()).isTrue();
      assertThat(hub.broadcastMessage(Target.room("r"), Message.text("late")))
          .isEqualTo(BroadcastReceipt.shutDown());
      assertThat(hub.broadcastSequenced(Target.room("r"), at -> "late").isShutDown()).isTrue();
      assertThat(hub.joinAndResume(a.id(), "r", null).get(5, TimeUnit.SECONDS)).isEmpty();
      assertThat(BroadcastReceipt.shutDown()).isNotEqualTo(BroadcastReceipt.none());
      assertThat(BroadcastReceipt.shutDown().toString()).contains("shut down");

      // A publisher on a scheduled executor keeps running: nothing it calls throws.
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      try {
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> task =
            timer.scheduleAtFixedRate(
                () -> {
                  hub.broadcast(Target.all(), "tick");
                  runs.incrementAndGet();
                },
                0,
                5,
                TimeUnit.MILLISECONDS);
        await("three runs").until(() -> runs.get() >= 3);
        assertThat(task.isDone()).isFalse();
      } finally {
        timer.shutdownNow();
      }
      assertThat(a.texts()).isEmpty();
    }

    @Test
    void failedSend_closesAndUnregistersThatConnection() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);
      FakeConnection b = open(hub);
      a.peerClosedSilently();

      BroadcastReceipt r = hub.broadcast(Target.all(), "x");

      assertThat(r.queued()).isEqualTo(2);
      assertThat(hub.client(a.id())).isEmpty();
      assertThat(hub.metrics().sendFailures()).isEqualTo(1);
      assertThat(b.texts()).containsExactly("x");
    }
  }

  @Nested
  class Outboxes {

    @Test
    void disconnect_closes1008AtTheLimit_othersUnaffected() {
      Hub<String> hub = hub(HubConfig.textBuilder().outboxLimits(1000, 1000));
      FakeConnection slow = open(hub);
      FakeConnection fast = open(hub);
      slow.hold();
      String hundred = "x".repeat(100);

      List<BroadcastReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        receipts.add(hub.broadcast(Target.all(), hundred));
      }

      assertThat(receipts.get(9)).isEqualTo(BroadcastReceipt.of(2, 0, 0, 0));
      assertThat(receipts.get(10)).isEqualTo(BroadcastReceipt.of(1, 0, 1, 0));
      assertThat(receipts.get(11)).isEqualTo(BroadcastReceipt.of(1, 0, 0, 0));
      assertThat(slow.closeCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
      assertThat(slow.closeReason()).contains("slow consumer");
      assertThat(hub.client(slow.id())).isEmpty();
      assertThat(fast.texts()).hasSize(12);
      assertThat(hub.metrics().slowConsumerCloses()).isEqualTo(1);
    }

    @Test
    void frameLimit_appliesToo() {
      Hub<String> hub = hub(HubConfig.textBuilder().outboxLimits(1 << 20, 3));
      FakeConnection slow = open(hub);
      slow.hold();

      for (int i = 0; i < 4; i++) {
        hub.broadcast(Target.all(), "m");
      }

      assertThat(slow.closeCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
    }

    @Test
    void dropNewest_keepsOldestAndCounts() {
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .outboxLimits(1 << 20, 3)
                  .slowConsumerPolicy(SlowConsumerPolicy.DROP_NEWEST));
      FakeConnection slow = open(hub);
      slow.hold();

      for (int i = 0; i < 5; i++) {
        BroadcastReceipt r = hub.broadcast(Target.all(), "m" + i);
        assertThat(r.dropped()).isEqualTo(i < 3 ? 0 : 1);
      }
      slow.release();

      assertThat(slow.texts()).containsExactly("m0", "m1", "m2");
      assertThat(hub.metrics().framesDropped()).isEqualTo(2);
      assertThat(hub.client(slow.id())).isPresent();
    }

    @Test
    void dropOldest_dropsQueuedNotInFlight() {
      // The first 64 frames go to the transport (its window); the rest wait in the outbox,
      // where DROP_OLDEST can still drop them.
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .outboxLimits(1 << 20, 66)
                  .slowConsumerPolicy(SlowConsumerPolicy.DROP_OLDEST));
      FakeConnection slow = open(hub);
      slow.hold();

      for (int i = 0; i < 70; i++) {
        assertThat(hub.broadcast(Target.all(), "m" + i).queued()).isEqualTo(1);
      }
      assertThat(slow.heldCount()).isEqualTo(64);
      assertThat(hub.client(slow.id()).orElseThrow().pendingFrames()).isEqualTo(66);
      slow.release();

      List<String> got = slow.texts();
      assertThat(got).hasSize(66).startsWith("m0").endsWith("m68", "m69");
      assertThat(got).doesNotContain("m64", "m65", "m66", "m67");
      assertThat(hub.metrics().framesDropped()).isEqualTo(4);
    }

    @Test
    void dropOldest_newFrameThatCannotFit_isDropped() {
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .outboxLimits(10, 100)
                  .slowConsumerPolicy(SlowConsumerPolicy.DROP_OLDEST));
      FakeConnection slow = open(hub);
      slow.hold();
      hub.broadcast(Target.all(), "12345678"); // in flight: cannot be dropped

      BroadcastReceipt r = hub.broadcast(Target.all(), "abc");

      assertThat(r.dropped()).isEqualTo(1);
    }

    @Test
    void pendingCountsReturnToZero() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);
      a.hold();
      hub.broadcast(Target.all(), "abc");
      hub.broadcast(Target.all(), "de");

      assertThat(hub.metrics().pendingFrames()).isEqualTo(2);
      assertThat(hub.metrics().pendingBytes()).isEqualTo(5);
      a.release();

      assertThat(hub.metrics().pendingFrames()).isZero();
      assertThat(hub.metrics().framesOut()).isEqualTo(2);
      assertThat(hub.metrics().bytesOut()).isEqualTo(5);
    }
  }

  @Nested
  class InboundErrors {

    @Test
    void undecodable_closesWithCodecsCode() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);
      FakeConnection b = open(hub);

      a.inbound().onMessage(Message.textUtf8(new byte[] {(byte) 0xFF}));
      b.inbound().onMessage(Message.binary(new byte[] {1}));

      assertThat(a.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
      assertThat(b.closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
      assertThat(hub.metrics().decodeErrors()).isEqualTo(2);
      assertThat(hub.clients()).isEmpty();
    }

    @Test
    void codecThatThrowsAnything_isA1007() {
      MessageCodec<String> picky =
          new MessageCodec<>() {
            @Override
            public Message encode(String m) {
              return Message.text(m);
            }

            @Override
            public String decode(Message f) {
              throw new NumberFormatException("not a number");
            }
          };
      Hub<String> hub = hub(HubConfig.builder(picky));
      FakeConnection a = open(hub);

      a.inbound().onMessage(Message.text("x"));

      assertThat(a.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    }

    @Test
    void decodeErrorHandler_mayAnswerInsteadOfClosing() {
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .handler(
                      new HubHandler<>() {
                        @Override
                        public void onDecodeError(
                            Hub<String> h, Client c, MessageDecodingException e) {
                          h.send(c.id(), "error: " + e.closeCode());
                        }
                      }));
      FakeConnection a = open(hub);

      a.inbound().onMessage(Message.binary(new byte[] {1}));

      assertThat(a.texts()).containsExactly("error: 1003");
      assertThat(a.isOpen()).isTrue();
    }

    @Test
    void oversizeFrameReachingTheHub_closes1009() {
      Hub<String> hub = hub(HubConfig.textBuilder().maxMessageBytes(4));
      FakeConnection a = open(hub);

      a.inbound().onMessage(Message.text("12345"));

      assertThat(a.closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
      assertThat(hub.metrics().transportViolationsByRule())
          .containsEntry(HubMetrics.TransportViolation.OVERSIZE_MESSAGE, 1L);
    }

    @Test
    void handlerThatThrows_closes1011_othersGoOn() {
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .handler(
                      new HubHandler<>() {
                        @Override
                        public void onMessage(Hub<String> h, Client c, String m) {
                          if (m.equals("boom")) {
                            throw new IllegalStateException("handler bug (expected by test)");
                          }
                          h.broadcast(Target.all(), m);
                        }
                      }));
      FakeConnection bad = open(hub);
      FakeConnection good = open(hub);

      bad.inbound().onMessage(Message.text("boom"));
      good.inbound().onMessage(Message.text("ok"));

      assertThat(bad.closeCode()).isEqualTo(CloseCodes.INTERNAL_ERROR);
      assertThat(good.texts()).containsExactly("ok");
      assertThat(hub.metrics().handlerErrors()).isEqualTo(1);
    }

    @Test
    void onOpenThatThrows_closes1011() {
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .handler(
                      new HubHandler<>() {
                        @Override
                        public void onOpen(Hub<String> h, Client c) {
                          throw new IllegalStateException("expected by test");
                        }
                      }));

      FakeConnection a = open(hub);

      assertThat(a.closeCode()).isEqualTo(CloseCodes.INTERNAL_ERROR);
      assertThat(hub.clients()).isEmpty();
    }

    @Test
    void transportError_closes1011() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);

      a.inbound().onError(new java.io.IOException("reset"));

      assertThat(a.closeCode()).isEqualTo(CloseCodes.INTERNAL_ERROR);
      assertThat(hub.clients()).isEmpty();
    }
  }

  @Nested
  class Lifecycle {

    @Test
    void onClose_runsOnceEvenIfReportedTwice() {
      List<Integer> codes = new CopyOnWriteArrayList<>();
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .handler(
                      new HubHandler<>() {
                        @Override
                        public void onClose(Hub<String> h, Client c, int code, String reason) {
                          codes.add(code);
                        }
                      }));
      FakeConnection a = open(hub);

      a.inbound().onClose(1000, "bye");
      a.inbound().onClose(1000, "bye again");

      assertThat(codes).containsExactly(1000);
      assertThat(hub.metrics().transportViolationsByRule())
          .containsEntry(HubMetrics.TransportViolation.CLOSE_REPORTED_TWICE, 1L);
    }

    @Test
    void messagesAfterClose_areIgnored() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);
      FakeConnection b = open(hub);
      a.inbound().onClose(1000, "");

      a.inbound().onMessage(Message.text("ghost"));

      assertThat(b.texts()).isEmpty();
      assertThat(hub.metrics().transportViolationsByRule())
          .containsEntry(HubMetrics.TransportViolation.REPORT_AFTER_CLOSE, 1L);
    }

    @Test
    void handlerExecutor_runsHandlersInOrderPerConnection() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        Hub<String> hub =
            hub(
                HubConfig.textBuilder()
                    .handlerExecutor(pool)
                    .handler(
                        new HubHandler<>() {
                          @Override
                          public void onOpen(Hub<String> h, Client c) {
                            seen.add("open");
                          }

                          @Override
                          public void onMessage(Hub<String> h, Client c, String m) {
                            seen.add(m);
                            threads.add(Thread.currentThread().getName());
                          }

                          @Override
                          public void onClose(Hub<String> h, Client c, int code, String r) {
                            seen.add("close");
                          }
                        }));
        FakeConnection a = open(hub);
        List<String> expected = new ArrayList<>(List.of("open"));
        for (int i = 0; i < 200; i++) {
          a.inbound().onMessage(Message.text("m" + i));
          expected.add("m" + i);
        }
        a.inbound().onClose(1000, "");
        expected.add("close");

        await("all handler calls").until(() -> seen.size() == expected.size());
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(threads).allMatch(t -> t.startsWith("pool-"));
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void close_validatesCode() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);

      assertThatThrownBy(() -> hub.disconnect(a.id(), 1006, "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("code: 1006");
      assertThat(hub.disconnect(a.id(), 4001, "custom")).isTrue();
      assertThat(a.closeCode()).isEqualTo(4001);
      assertThat(hub.disconnect(a.id(), 4001, "again")).isFalse();
    }

    @Test
    void shutdown_drainsThenCloses1001() throws Exception {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);
      a.hold();
      hub.broadcast(Target.all(), "queued before shutdown");

      var done = hub.shutdown(Duration.ofSeconds(10));

      assertThat(a.isOpen()).isTrue();
      a.release();
      done.get(5, TimeUnit.SECONDS);
      assertThat(a.texts()).containsExactly("queued before shutdown");
      assertThat(a.closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
      assertThat(hub.shutdown(Duration.ZERO)).isSameAs(done);
      assertThat(hub.isShutdown()).isTrue();
    }

    @Test
    void shutdown_deadlineClosesWhatDidNotDrain() throws Exception {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection stuck = open(hub);
      stuck.hold();
      hub.broadcast(Target.all(), "never read");

      hub.shutdown(Duration.ofMillis(100)).get(5, TimeUnit.SECONDS);

      assertThat(stuck.closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
      assertThat(hub.clients()).isEmpty();
    }

    @Test
    void closeAsAutoCloseable_shutsDown() {
      Hub<String> hub = Hub.create(HubConfig.textBuilder().drainTimeout(Duration.ZERO).build());
      FakeConnection a = open(hub);

      hub.close();

      assertThat(a.closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
      assertThat(hub.isShutdown()).isTrue();
    }
  }

  @Nested
  class RoomsAndUsers {

    @Test
    void joinLeave_returnWhetherTheyChangedAnything() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);

      assertThat(hub.join(a.id(), "r")).isTrue();
      assertThat(hub.join(a.id(), "r")).isFalse();
      assertThat(hub.client(a.id()).orElseThrow().rooms()).containsExactly("r");
      assertThat(hub.leave(a.id(), "r")).isTrue();
      assertThat(hub.leave(a.id(), "r")).isFalse();
      assertThat(hub.join("nope", "r")).isFalse();
      assertThatThrownBy(() -> hub.join(a.id(), "")).hasMessageContaining("room: \"\"");
    }

    @Test
    void closedConnection_leavesEveryRoomAndItsUser() {
      Hub<String> hub = hub(HubConfig.textBuilder().authenticator(h -> AuthResult.user("ada")));
      FakeConnection a = open(hub);
      hub.join(a.id(), "r1");
      hub.join(a.id(), "r2");

      a.peerClosed(CloseCodes.NORMAL);

      assertThat(hub.rooms()).isEmpty();
      assertThat(hub.users()).isEmpty();
      assertThat(hub.join(a.id(), "r3")).isFalse();
      assertThat(hub.metrics().connections()).isZero();
    }

    @Test
    void maxRooms_isEnforced() {
      Hub<String> hub = hub(HubConfig.textBuilder().maxRooms(2));
      FakeConnection a = open(hub);
      hub.join(a.id(), "r1");
      hub.join(a.id(), "r2");

      assertThatThrownBy(() -> hub.join(a.id(), "r3"))
          .isInstanceOf(RoomLimitException.class)
          .hasMessageContaining("maxRooms 2");
    }

    @Test
    void roomBroadcast_carriesHistorySequence() {
      Hub<String> hub = hub(HubConfig.textBuilder().historySize(10));
      FakeConnection a = open(hub);
      hub.join(a.id(), "r");

      assertThat(hub.broadcast(Target.room("r"), "one").sequence()).hasValue(1);
      assertThat(hub.broadcast(Target.roomExcept("r", a.id()), "two").sequence()).hasValue(2);
      assertThat(hub.broadcast(Target.all(), "not a room").sequence()).isEmpty();
      assertThat(hub.history("r", 0).entries()).hasSize(2);
      assertThat(hub.history("r", 1).entries())
          .singleElement()
          .satisfies(e -> assertThat(e.message().text()).isEqualTo("two"));
    }

    @Test
    void broadcastSequenced_putsTheNumberInTheMessage() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);
      hub.join(a.id(), "r");

      hub.broadcastSequenced(Target.room("r"), at -> "#" + at.seq());
      hub.broadcast(Target.room("r"), "plain");
      BroadcastReceipt third =
          hub.broadcastSequenced(Target.roomExcept("r", "x"), at -> "#" + at.seq());

      assertThat(a.texts()).containsExactly("#1", "plain", "#3");
      assertThat(third.sequence()).hasValue(3);
      assertThatThrownBy(() -> hub.broadcastSequenced(Target.all(), seq -> "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected: Target.room");
    }

    @Test
    void roomsWithoutHistory_stillNumber_andReportWhatIsNotHeld() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);
      hub.join(a.id(), "r");
      hub.broadcast(Target.room("r"), "one");
      hub.leave(a.id(), "r");

      assertThat(hub.broadcast(Target.room("r"), "two").sequence()).hasValue(2);
      HistoryRead read = hub.joinAndReplay(a.id(), "r", 0).orElseThrow();
      assertThat(read.entries()).isEmpty();
      assertThat(read.missed()).isEqualTo(2);
      assertThat(read.lastSequence()).isEqualTo(2);
    }

    @Test
    void historyRoom_outlivesItsMembers() {
      Hub<String> hub = hub(HubConfig.textBuilder().historySize(10));
      FakeConnection a = open(hub);
      hub.join(a.id(), "r");
      hub.broadcast(Target.room("r"), "kept");
      a.peerClosed(CloseCodes.NORMAL);

      FakeConnection b = open(hub);
      HistoryRead read = hub.joinAndReplay(b.id(), "r", 0).orElseThrow();

      assertThat(read.entries()).hasSize(1);
      assertThat(b.texts()).containsExactly("kept");
      assertThat(hub.rooms()).containsExactly("r");
    }

    @Test
    void joinAndReplay_withoutHistory_justJoins() {
      Hub<String> hub = hub(HubConfig.textBuilder());
      FakeConnection a = open(hub);

      HistoryRead read = hub.joinAndReplay(a.id(), "r").orElseThrow();
      assertThat(read.entries()).isEmpty();
      assertThat(read.missed()).isZero();
      assertThat(read.position()).hasValueSatisfying(p -> assertThat(p.seq()).isZero());
      assertThat(hub.members("r")).hasSize(1);
    }

    @Test
    void joinAndReplay_resumesAfterSequence() {
      Hub<String> hub = hub(HubConfig.textBuilder().historySize(10));
      for (int i = 0; i < 5; i++) {
        hub.broadcast(Target.room("r"), "m" + i);
      }
      FakeConnection a = open(hub);

      HistoryRead read = hub.joinAndReplay(a.id(), "r", 3).orElseThrow();

      assertThat(a.texts()).containsExactly("m3", "m4");
      assertThat(read.gap()).isFalse();
      assertThat(read.lastSequence()).isEqualTo(5);
    }

    @Test
    void lookups_returnSnapshots() {
      Hub<String> hub =
          hub(
              HubConfig.textBuilder()
                  .authenticator(h -> AuthResult.user(h.queryParam("u").orElse("anon"))));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "u=ada");
      FakeConnection b = FakeConnection.open(hub, "127.0.0.1", "u=ada");
      hub.join(a.id(), "r");

      assertThat(hub.connectionsOf("ada"))
          .extracting(Client::id)
          .containsExactlyInAnyOrder(a.id(), b.id());
      assertThat(hub.members("r")).extracting(Client::id).containsExactly(a.id());
      assertThat(hub.members("nope")).isEmpty();
      assertThat(hub.client(a.id()).orElseThrow().attributes()).isEmpty();
      assertThat(hub.metrics().users()).isEqualTo(1);
      assertThat(hub.metrics().rooms()).isEqualTo(1);
    }
  }
}
