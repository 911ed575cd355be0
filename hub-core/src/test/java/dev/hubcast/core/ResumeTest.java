package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Replay.Outcome;
import dev.hubcast.core.backplane.InMemoryBackplane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Joining a room from a position: all or nothing, on one node and across nodes. */
@Timeout(30)
class ResumeTest {

  private final List<Hub<String>> hubs = new ArrayList<>();
  private final List<InMemoryBackplane.Group> groups = new ArrayList<>();

  private Hub<String> hub(UnaryOperator<HubConfig.Builder<String>> options) {
    Hub<String> hub =
        Hub.create(options.apply(HubConfig.textBuilder().policy(BroadcastPolicy.NONE)).build());
    hubs.add(hub);
    return hub;
  }

  @AfterEach
  void close() throws Exception {
    for (Hub<String> h : hubs) {
      h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
    groups.forEach(InMemoryBackplane.Group::close);
  }

  private static Replay resume(Hub<String> hub, FakeConnection c, String room, RoomPosition since)
      throws Exception {
    return hub.joinAndResume(c.id(), room, since).get(10, TimeUnit.SECONDS).orElseThrow();
  }

  private static void say(Hub<String> hub, String room, int from, int to) {
    for (int i = from; i <= to; i++) {
      hub.broadcastSequenced(Target.room(room), at -> "m" + at.seq());
    }
  }

  @Nested
  class OneNode {
    @Test
    void aPlainJoin_givesAPositionEvenForAnEmptyRoom() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(10));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");

      Replay r = resume(hub, a, "r", null);

      assertThat(r.outcome()).isEqualTo(Outcome.JOINED);
      assertThat(r.position().seq()).isZero();
      assertThat(r.position().epoch()).isNotEmpty();
      assertThat(r.entries()).isEmpty();
      assertThat(hub.members("r")).hasSize(1);
    }

    @Test
    void recovered_replaysExactlyWhatCameAfter_thenLive() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(10));
      FakeConnection first = FakeConnection.open(hub, "127.0.0.1", "");
      RoomPosition start = resume(hub, first, "r", null).position();
      say(hub, "r", 1, 5);
      FakeConnection back = FakeConnection.open(hub, "127.0.0.1", "");

      Replay r = resume(hub, back, "r", new RoomPosition(start.epoch(), 2));
      say(hub, "r", 6, 6);

      assertThat(r.outcome()).isEqualTo(Outcome.RECOVERED);
      assertThat(r.recovered()).isTrue();
      assertThat(r.position()).isEqualTo(new RoomPosition(start.epoch(), 5));
      assertThat(back.texts()).containsExactly("m3", "m4", "m5", "m6");
      assertThat(hub.metrics().resumes().get(Outcome.RECOVERED)).isEqualTo(1);
      assertThat(hub.metrics().framesReplayed()).isEqualTo(3);
    }

    @Test
    void anotherEpoch_isEpochChanged_andNothingIsReplayed() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(10));
      say(hub, "r", 1, 3);
      FakeConnection back = FakeConnection.open(hub, "127.0.0.1", "");

      Replay r = resume(hub, back, "r", new RoomPosition("earlier", 2));
      say(hub, "r", 4, 4);

      assertThat(r.outcome()).isEqualTo(Outcome.EPOCH_CHANGED);
      assertThat(r.entries()).extracting(HistoryEntry::sequence).containsExactly(1L, 2L, 3L);
      assertThat(back.texts()).containsExactly("m4");
    }

    @Test
    void aRestartedServer_answersEpochChanged() throws Exception {
      Hub<String> before = hub(c -> c.historySize(10));
      FakeConnection a = FakeConnection.open(before, "127.0.0.1", "");
      RoomPosition seen = resume(before, a, "r", null).position();
      say(before, "r", 1, 2);
      Hub<String> after = hub(c -> c.historySize(10)); // the same server, started again
      say(after, "r", 1, 3);

      Replay r = resume(after, FakeConnection.open(after, "127.0.0.1", ""), "r", seen);

      assertThat(r.outcome()).isEqualTo(Outcome.EPOCH_CHANGED);
      assertThat(r.position().epoch()).isNotEqualTo(seen.epoch());
    }

    @Test
    void pastTheHistorySize_isTooOld() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(3));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
      String epoch = resume(hub, a, "r", null).position().epoch();
      say(hub, "r", 1, 10);

      FakeConnection back = FakeConnection.open(hub, "127.0.0.1", "");
      Replay r = resume(hub, back, "r", new RoomPosition(epoch, 2));

      assertThat(r.outcome()).isEqualTo(Outcome.TOO_OLD);
      assertThat(r.entries()).extracting(HistoryEntry::sequence).containsExactly(8L, 9L, 10L);
      assertThat(back.texts()).isEmpty();
    }

    @Test
    void pastTheHistoryAge_isTooOld() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(100).maxHistoryAge(Duration.ofMillis(200)));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
      String epoch = resume(hub, a, "r", null).position().epoch();
      say(hub, "r", 1, 3);
      RoomPosition since = new RoomPosition(epoch, 1);
      assertThat(hub.history("r", 1).entries()).hasSize(2);

      await("entries past their age")
          .atMost(Duration.ofSeconds(5))
          .until(() -> hub.history("r", 1).entries().isEmpty());
      Replay r = resume(hub, FakeConnection.open(hub, "127.0.0.1", ""), "r", since);

      assertThat(r.outcome()).isEqualTo(Outcome.TOO_OLD);
      assertThat(r.entries()).isEmpty();
    }

    @Test
    void anEmptiedRoom_isListedWithHistoryUntilItsHistoryIsTooOld() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(100).maxHistoryAge(Duration.ofMillis(300)));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
      resume(hub, a, "said", null);
      resume(hub, a, "quiet", null);
      say(hub, "said", 1, 2);
      hub.leave(a.id(), "said");
      hub.leave(a.id(), "quiet");

      assertThat(hub.rooms()).isEmpty();
      assertThat(hub.roomsWithHistory()).containsExactly("said");
      await("the history past its age")
          .atMost(Duration.ofSeconds(5))
          .until(() -> hub.roomsWithHistory().isEmpty());
    }

    @Test
    void withoutAnAge_aRoomsHistoryIsListedUntilItsPlaceIsNeeded() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(10).maxRooms(2));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
      resume(hub, a, "one", null);
      say(hub, "one", 1, 1);
      hub.leave(a.id(), "one");
      resume(hub, a, "two", null);
      say(hub, "two", 1, 1);

      assertThat(hub.roomsWithHistory()).containsExactlyInAnyOrder("one", "two");
      resume(hub, a, "three", null); // evicts the empty "one"
      assertThat(hub.roomsWithHistory()).containsExactly("two");
    }

    @Test
    void moreThanTheReplayLimit_isTooMany() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(100).replayLimit(5));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
      String epoch = resume(hub, a, "r", null).position().epoch();
      say(hub, "r", 1, 20);

      FakeConnection back = FakeConnection.open(hub, "127.0.0.1", "");
      Replay r = resume(hub, back, "r", new RoomPosition(epoch, 10));

      assertThat(r.outcome()).isEqualTo(Outcome.TOO_MANY);
      assertThat(r.entries())
          .extracting(HistoryEntry::sequence)
          .containsExactly(16L, 17L, 18L, 19L, 20L);
      assertThat(back.texts()).isEmpty();
      assertThat(resume(hub, back, "r", new RoomPosition(epoch, 15)).outcome())
          .isEqualTo(Outcome.RECOVERED);
    }

    @Test
    void withoutHistory_isNoHistory_unlessNothingWasMissed() throws Exception {
      Hub<String> hub = hub(c -> c);
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
      String epoch = resume(hub, a, "r", null).position().epoch();
      say(hub, "r", 1, 3);

      assertThat(resume(hub, a, "r", new RoomPosition(epoch, 1)).outcome())
          .isEqualTo(Outcome.NO_HISTORY);
      assertThat(resume(hub, a, "r", new RoomPosition(epoch, 3)).outcome())
          .isEqualTo(Outcome.RECOVERED);
    }

    @Test
    void aPositionBeyondTheLatest_failsAndChangesNothing() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(10));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
      String epoch = resume(hub, a, "r", null).position().epoch();
      say(hub, "r", 1, 3);
      FakeConnection b = FakeConnection.open(hub, "127.0.0.1", "");

      CompletableFuture<Optional<Replay>> r =
          hub.joinAndResume(b.id(), "r", new RoomPosition(epoch, 900));

      assertThatThrownBy(() -> r.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("900")
          .hasMessageContaining("beyond");
      assertThat(hub.members("r")).extracting(Client::id).containsExactly(a.id());
      assertThat(b.texts()).isEmpty();
    }

    @Test
    void badPositions_nameTheBadValue() {
      assertThatThrownBy(() -> new RoomPosition("", 1)).hasMessageContaining("epoch: \"\"");
      assertThatThrownBy(() -> new RoomPosition("no spaces", 1)).hasMessageContaining("no spaces");
      assertThatThrownBy(() -> new RoomPosition("e", -1)).hasMessageContaining("seq: -1");
      assertThatThrownBy(
              () -> HubConfig.textBuilder().outboxLimits(1 << 20, 100).replayLimit(100).build())
          .hasMessageContaining("replayLimit: 100");
    }

    @Test
    void anAnswer_isQueuedInsteadOfTheEntries_beforeTheLiveOnes() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(10));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "");
      String epoch = resume(hub, a, "r", null).position().epoch();
      say(hub, "r", 1, 4);
      FakeConnection back = FakeConnection.open(hub, "127.0.0.1", "");

      hub.joinAndResume(
              back.id(),
              "r",
              new RoomPosition(epoch, 2),
              r -> r.outcome().code() + " " + r.entries().size() + " at " + r.position().seq())
          .get(5, TimeUnit.SECONDS);
      say(hub, "r", 5, 5);

      assertThat(back.texts()).containsExactly("recovered 2 at 4", "m5");
    }
  }

  private static List<String> marks(FakeConnection c) {
    return c.frames().stream().map(f -> f.mark().map(RoomMark::toText).orElse("-")).toList();
  }

  @Nested
  class Marks {
    @Test
    void roomBroadcasts_liveAndReplayed_carryTheirRoomAndPosition() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(10));
      FakeConnection first = FakeConnection.open(hub, "127.0.0.1", "");
      String epoch = resume(hub, first, "a room", null).position().epoch();
      say(hub, "a room", 1, 3);
      hub.send(first.id(), "direct");

      FakeConnection back = FakeConnection.open(hub, "127.0.0.1", "");
      resume(hub, back, "a room", new RoomPosition(epoch, 1));

      assertThat(marks(first))
          .containsExactly(epoch + ":1:a+room", epoch + ":2:a+room", epoch + ":3:a+room", "-");
      assertThat(marks(back)).containsExactly(epoch + ":2:a+room", epoch + ":3:a+room");
      assertThat(RoomMark.parse(marks(back).get(1)))
          .isEqualTo(new RoomMark("a room", new RoomPosition(epoch, 3)));
      assertThat(hub.history("a room", 0).entries())
          .extracting(e -> e.message().mark().orElseThrow().position().seq())
          .containsExactly(1L, 2L, 3L);
    }

    @Test
    void aResumeAnswer_carriesThePositionItBringsTheClientTo() throws Exception {
      Hub<String> hub = hub(c -> c.historySize(10));
      say(hub, "r", 1, 4);
      FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "");

      Replay r =
          hub.joinAndResume(c.id(), "r", null, replay -> "history of " + replay.entries().size())
              .get(10, TimeUnit.SECONDS)
              .orElseThrow();

      assertThat(c.texts()).containsExactly("history of 4");
      assertThat(c.frames().get(0).mark()).contains(new RoomMark("r", r.position()));
    }

    @Test
    void aHandshakesLastEventId_givesTheMarkBack() {
      RoomMark mark = new RoomMark("lobby", new RoomPosition("abc", 7));
      Handshake h =
          FakeConnection.handshake(
              "127.0.0.1", "", java.util.Map.of("Last-Event-ID", List.of(mark.toText())));

      assertThat(h.lastEventMark()).contains(mark);
      assertThat(FakeConnection.handshake("127.0.0.1", "", java.util.Map.of()).lastEventMark())
          .isEmpty();
      assertThat(
              FakeConnection.handshake(
                      "127.0.0.1", "", java.util.Map.of("Last-Event-ID", List.of("42")))
                  .lastEventMark())
          .isEmpty();
    }
  }

  @Nested
  class AcrossNodes {
    private Hub<String> node(String id, InMemoryBackplane.Group group) {
      // A replay limit above the whole race: every resume in it can be recovered.
      return hub(
          c ->
              c.nodeId(id)
                  .historySize(100)
                  .outboxLimits(64 << 20, 10_000)
                  .replayLimit(5_000)
                  .backplane(group::join));
    }

    private InMemoryBackplane.Group group() {
      InMemoryBackplane.Group g = InMemoryBackplane.sequencedGroup();
      groups.add(g);
      return g;
    }

    @Test
    void aNodeThatNeverSawTheRoom_servesTheResumeFromTheStore() throws Exception {
      InMemoryBackplane.Group group = group();
      Hub<String> a = node("a", group);
      FakeConnection onA = FakeConnection.open(a, "127.0.0.1", "");
      RoomPosition start = resume(a, onA, "r", null).position();
      say(a, "r", 1, 3);
      await("three on a").until(() -> onA.texts().size() == 3);
      RoomPosition seen = new RoomPosition(start.epoch(), 3);
      say(a, "r", 4, 6); // while the client is away
      await("six numbered").until(() -> a.history("r", 0).lastSequence() == 6);
      Hub<String> b = node("b", group); // started later: it holds nothing of the room

      FakeConnection onB = FakeConnection.open(b, "127.0.0.1", "");
      Replay r = resume(b, onB, "r", seen);
      say(a, "r", 7, 7);

      assertThat(r.outcome()).isEqualTo(Outcome.RECOVERED);
      assertThat(r.position()).isEqualTo(new RoomPosition(start.epoch(), 6));
      await("m7 on b").until(() -> onB.texts().size() == 4);
      assertThat(onB.texts()).containsExactly("m4", "m5", "m6", "m7");
      assertThat(marks(onB))
          .containsExactly(
              start.epoch() + ":4:r",
              start.epoch() + ":5:r",
              start.epoch() + ":6:r",
              start.epoch() + ":7:r");
    }

    @Test
    void aStoreThatLostTheRoom_answersEpochChanged() throws Exception {
      InMemoryBackplane.Group group = group();
      Hub<String> a = node("a", group);
      FakeConnection onA = FakeConnection.open(a, "127.0.0.1", "");
      RoomPosition start = resume(a, onA, "r", null).position();
      say(a, "r", 1, 2);
      await("two on a").until(() -> onA.texts().size() == 2);
      group.forgetRooms();
      Hub<String> b = node("b", group);

      Replay r = resume(b, FakeConnection.open(b, "127.0.0.1", ""), "r", start);

      assertThat(r.outcome()).isEqualTo(Outcome.EPOCH_CHANGED);
      assertThat(r.position().epoch()).isNotEqualTo(start.epoch());
      assertThat(r.position().seq()).isZero();
    }

    @Test
    void resumesRacingLiveBroadcasts_neverRepeatOrLoseOne() throws Exception {
      InMemoryBackplane.Group group = group();
      Hub<String> a = node("a", group);
      Hub<String> b = node("b", group);
      FakeConnection watcher = FakeConnection.open(a, "127.0.0.1", "");
      String epoch = resume(a, watcher, "r", null).position().epoch();
      int total = 1500;
      Thread talker =
          new Thread(
              () -> {
                for (int i = 0; i < total; i++) {
                  (i % 2 == 0 ? a : b).broadcastSequenced(Target.room("r"), at -> "m" + at.seq());
                }
              });
      talker.start();
      List<FakeConnection> resumed = new ArrayList<>();
      List<Long> froms = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        Hub<String> via = i % 2 == 0 ? b : a;
        long from = Math.max(0, watcher.texts().size() - (i % 7) * 3);
        FakeConnection c = FakeConnection.open(via, "127.0.0.1", "");
        Replay r = resume(via, c, "r", new RoomPosition(epoch, from));
        assertThat(r.outcome()).as("resume %d from %d", i, from).isEqualTo(Outcome.RECOVERED);
        resumed.add(c);
        froms.add(from);
      }
      talker.join(20_000);

      await("all delivered to the watcher").until(() -> watcher.texts().size() == total);
      for (int i = 0; i < resumed.size(); i++) {
        FakeConnection c = resumed.get(i);
        long from = froms.get(i);
        await("resumed " + i + " has all after " + from)
            .until(() -> c.texts().size() == total - from);
        List<String> expected = new ArrayList<>();
        for (long s = from + 1; s <= total; s++) {
          expected.add("m" + s);
        }
        assertThat(c.texts()).as("resumed %d from %d", i, from).isEqualTo(expected);
      }
    }
  }
}
