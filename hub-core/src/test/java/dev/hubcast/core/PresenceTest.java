package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.backplane.InMemoryBackplane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence on one node and across nodes of an in-memory backplane: snapshots, diffs, tabs, grace,
 * intervals, caps, peers that come, go and lose the medium.
 */
@Timeout(30)
class PresenceTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<Hub<String>> hubs = new ArrayList<>();
  private final List<InMemoryBackplane.Group> groups = new ArrayList<>();

  @AfterEach
  void shutdown() throws Exception {
    for (Hub<String> h : hubs) {
      h.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
    groups.forEach(InMemoryBackplane.Group::close);
  }

  /** Snapshots as {@code snap:ROOM:COUNT:a,b}, diffs as {@code diff:ROOM:+a,b:-c:COUNT}. */
  private static PresenceConfig.Builder<String> presence() {
    return PresenceConfig.builder(
        s ->
            "snap:"
                + s.room()
                + ":"
                + s.count()
                + ":"
                + s.users().stream().map(PresenceUser::user).collect(Collectors.joining(",")),
        d ->
            "diff:"
                + d.room()
                + ":+"
                + d.joined().stream().map(PresenceUser::user).collect(Collectors.joining(","))
                + ":-"
                + String.join(",", d.left())
                + ":"
                + d.count());
  }

  private Hub<String> hub(String node, UnaryOperator<PresenceConfig.Builder<String>> presence) {
    return hub(node, presence, null);
  }

  private Hub<String> hub(
      String node,
      UnaryOperator<PresenceConfig.Builder<String>> presence,
      InMemoryBackplane.Group group) {
    HubConfig.Builder<String> b =
        HubConfig.textBuilder()
            .nodeId(node)
            .authenticator(h -> AuthResult.user(h.queryParam("user").orElseThrow()))
            .presence(presence.apply(presence()).build());
    if (group != null) {
      b.backplane(group::join);
    }
    Hub<String> hub = Hub.create(b.build());
    hubs.add(hub);
    return hub;
  }

  private static FakeConnection in(Hub<String> hub, String user, String room) {
    FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "user=" + user);
    hub.join(c.id(), room);
    return c;
  }

  private static void awaitText(FakeConnection c, String text) {
    await(c.id() + " receives " + text).atMost(WAIT).until(() -> c.texts().contains(text));
  }

  @Nested
  class OneNode {

    @Test
    void aJoinerGetsTheSnapshot_theOthersTheDiff_andTabsCountOnce() {
      Hub<String> hub = hub("n1", p -> p);
      FakeConnection ada = in(hub, "ada", "r");
      awaitText(ada, "snap:r:1:ada");
      FakeConnection bob = in(hub, "bob", "r");
      awaitText(bob, "snap:r:2:ada,bob");
      awaitText(ada, "diff:r:+bob:-:2");

      FakeConnection ada2 = in(hub, "ada", "r"); // a second tab
      awaitText(ada2, "snap:r:2:ada,bob");
      assertThat(hub.presence("r").users().get(0).entries()).hasSize(2);
      ada.peerClosed(CloseCodes.NORMAL); // one tab of two: ada stays
      hub.leave(ada2.id(), "r"); // the last one: ada leaves

      awaitText(bob, "diff:r:+:-ada:1");
      assertThat(bob.texts()).containsExactly("snap:r:2:ada,bob", "diff:r:+:-ada:1");
      assertThat(hub.presence("r").count()).isEqualTo(1);
      assertThat(hub.presence("r").partial()).isFalse();
    }

    @Test
    void theSnapshotAndTheDiffsAfterIt_neitherMissNorDouble() {
      Hub<String> hub = hub("n1", p -> p);
      FakeConnection watcher = in(hub, "watcher", "r");
      List<FakeConnection> all = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        all.add(in(hub, "u" + i, "r"));
      }
      FakeConnection late = in(hub, "late", "r");
      for (int i = 0; i < 50; i += 2) {
        all.get(i).peerClosed(CloseCodes.NORMAL);
      }
      await().atMost(WAIT).until(() -> hub.presence("r").count() == 27);

      // Replaying what each received gives the same users as the hub's snapshot.
      for (FakeConnection c : List.of(watcher, late)) {
        await().atMost(WAIT).until(() -> replay(c.texts()).size() == 27);
        assertThat(replay(c.texts()))
            .containsExactlyElementsOf(
                hub.presence("r").users().stream().map(PresenceUser::user).toList());
      }
    }

    /** The users a client sees after its snapshot and diffs, sorted. */
    private static List<String> replay(List<String> texts) {
      java.util.TreeSet<String> users = new java.util.TreeSet<>();
      for (String t : texts) {
        String[] f = t.split(":", -1);
        if (f[0].equals("snap")) {
          users.clear();
          users.addAll(List.of(f[3].split(",")));
        } else {
          for (String u : f[2].substring(1).split(",")) {
            if (!u.isEmpty() && !users.add(u)) {
              throw new AssertionError("doubled: " + u + " in " + texts);
            }
          }
          for (String u : f[3].substring(1).split(",")) {
            if (!u.isEmpty() && !users.remove(u)) {
              throw new AssertionError("missed: " + u + " in " + texts);
            }
          }
        }
      }
      return List.copyOf(users);
    }

    @Test
    void theSnapshotComesAfterWhatTheJoinQueued() throws Exception {
      Hub<String> hub =
          Hub.create(
              HubConfig.textBuilder()
                  .historySize(10)
                  .authenticator(h -> AuthResult.user(h.queryParam("user").orElseThrow()))
                  .presence(presence().build())
                  .build());
      hubs.add(hub);
      FakeConnection ada = FakeConnection.open(hub, "127.0.0.1", "user=ada");
      hub.joinAndResume(ada.id(), "r", null, replay -> "history of " + replay.outcome().code())
          .get(10, TimeUnit.SECONDS);
      FakeConnection bob = FakeConnection.open(hub, "127.0.0.1", "user=bob");
      hub.broadcast(Target.room("r"), "said before bob");
      hub.joinAndReplay(bob.id(), "r", 0);

      awaitText(ada, "snap:r:1:ada");
      awaitText(bob, "snap:r:2:ada,bob");
      assertThat(ada.texts().get(0)).isEqualTo("history of joined");
      assertThat(bob.texts()).startsWith("said before bob", "snap:r:2:ada,bob");
    }

    @Test
    void withAGrace_aQuickReconnectDoesNotFlap_aLongerAbsenceLeaves() {
      Hub<String> hub = hub("n1", p -> p.grace(Duration.ofMillis(400)));
      FakeConnection bob = in(hub, "bob", "r");
      FakeConnection ada = in(hub, "ada", "r");
      awaitText(bob, "diff:r:+ada:-:2");
      ada.peerClosed(CloseCodes.GOING_AWAY);
      FakeConnection again = in(hub, "ada", "r"); // the reload
      awaitText(again, "snap:r:2:ada,bob");

      await("no flap")
          .during(Duration.ofMillis(700))
          .atMost(WAIT)
          .until(() -> bob.texts().size() == 2);
      assertThat(hub.presence("r").users().get(0).entries())
          .extracting(PresenceEntry::connectionId)
          .containsExactly(again.id());

      again.peerClosed(CloseCodes.GOING_AWAY);
      assertThat(hub.presence("r").count()).isEqualTo(2); // held for the grace
      awaitText(bob, "diff:r:+:-ada:1");
    }

    @Test
    void withAnInterval_changesAreMergedAndANewcomerWaitsForTheNextDiff() {
      Hub<String> hub = hub("n1", p -> p.interval(Duration.ofMillis(300)));
      FakeConnection bob = in(hub, "bob", "r");
      awaitText(bob, "snap:r:1:bob");
      FakeConnection ada = in(hub, "ada", "r");
      ada.peerClosed(CloseCodes.NORMAL); // came and went within the interval
      FakeConnection carol = in(hub, "carol", "r");

      awaitText(bob, "diff:r:+carol:-:2");
      awaitText(carol, "snap:r:2:bob,carol");
      assertThat(bob.texts()).containsExactly("snap:r:1:bob", "diff:r:+carol:-:2");
    }

    @Test
    void aCap_listsTheFirstUsersAndCountsThemAll() {
      Hub<String> hub = hub("n1", p -> p.maxListed(2));
      in(hub, "cy", "r");
      in(hub, "ada", "r");
      FakeConnection bob = in(hub, "bob", "r");

      awaitText(bob, "snap:r:3:ada,bob");
      PresenceSnapshot s = hub.presence("r");
      assertThat(s.count()).isEqualTo(3);
      assertThat(s.truncated()).isTrue();
      assertThat(hub.isPresent("r", "cy")).isTrue(); // listed or not
      assertThat(hub.isPresent("r", "dan")).isFalse();
      assertThat(hub.isPresent("elsewhere", "cy")).isFalse();
    }

    @Test
    void dataAndRooms_areTheApplications() {
      Hub<String> hub =
          hub(
              "n1",
              p ->
                  p.rooms(room -> !room.startsWith("quiet")).data(c -> "tab of " + c.user().get()));
      FakeConnection ada = in(hub, "ada", "r");
      in(hub, "ada", "quiet-1");

      awaitText(ada, "snap:r:1:ada");
      assertThat(hub.presence("r").users().get(0).entries())
          .containsExactly(new PresenceEntry(ada.id(), "n1", "tab of ada"));
      assertThat(hub.presence("quiet-1").count()).isZero();
      assertThat(ada.texts()).containsExactly("snap:r:1:ada");
    }

    @Test
    void withoutPresence_askingIsAnError_andConfigsAreChecked() {
      Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
      hubs.add(hub);
      assertThatThrownBy(() -> hub.presence("r"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("HubConfig.Builder.presence");
      assertThatThrownBy(() -> presence().grace(Duration.ofMillis(-1)))
          .hasMessageContaining("grace: PT-0.001S");
      assertThatThrownBy(() -> presence().maxListed(-1)).hasMessageContaining("maxListed: -1");
      assertThatThrownBy(
              () ->
                  presence()
                      .heartbeat(Duration.ofSeconds(2))
                      .peerTimeout(Duration.ofSeconds(3))
                      .build())
          .hasMessageContaining("peerTimeout: PT3S (expected: at least twice the heartbeat");
    }
  }

  @Nested
  class AcrossNodes {

    private InMemoryBackplane.Group group() {
      InMemoryBackplane.Group g = InMemoryBackplane.group();
      groups.add(g);
      return g;
    }

    private UnaryOperator<PresenceConfig.Builder<String>> fast() {
      return p -> p.heartbeat(Duration.ofMillis(100)).peerTimeout(Duration.ofMillis(400));
    }

    @Test
    void everyNodesUsersAreSeenEverywhere_andAStoppedNodeLeaves() throws Exception {
      InMemoryBackplane.Group g = group();
      Hub<String> a = hub("a", fast(), g);
      Hub<String> b = hub("b", fast(), g);
      FakeConnection ada = in(a, "ada", "r");
      FakeConnection bob = in(b, "bob", "r");

      awaitText(ada, "diff:r:+bob:-:2");
      await().atMost(WAIT).until(() -> b.presence("r").count() == 2);
      assertThat(b.presence("r").users().get(0).entries())
          .containsExactly(new PresenceEntry(ada.id(), "a", ""));

      a.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS); // says goodbye
      awaitText(bob, "diff:r:+:-ada:1");
      assertThat(b.presence("r").count()).isEqualTo(1);
    }

    @Test
    void aConnectionInSeveralRooms_leavesEachOfThemOnTheOtherNodes() {
      InMemoryBackplane.Group g = group();
      Hub<String> a = hub("a", p -> fast().apply(p).grace(Duration.ofMillis(50)), g);
      Hub<String> b = hub("b", fast(), g);
      FakeConnection ada = in(a, "ada", "r1");
      a.join(ada.id(), "r2");
      FakeConnection bob = in(b, "bob", "r1");
      b.join(bob.id(), "r2");
      await("b knows ada in both rooms")
          .atMost(WAIT)
          .until(() -> b.presence("r1").count() == 2 && b.presence("r2").count() == 2);

      ada.peerClosed(CloseCodes.NORMAL);

      awaitText(bob, "diff:r1:+:-ada:1");
      awaitText(bob, "diff:r2:+:-ada:1");
      assertThat(b.presence("r1").count()).isEqualTo(1);
      assertThat(b.presence("r2").count()).isEqualTo(1);
    }

    @Test
    void tenThousandChurnedConnections_leaveEveryRoomEmptyOnEveryNode() {
      InMemoryBackplane.Group g = group();
      Hub<String> a = hub("a", fast(), g);
      Hub<String> b = hub("b", fast(), g);
      FakeConnection watcher = in(b, "watcher", "r0");
      for (int i = 0; i < 10_000; i++) {
        Hub<String> on = i % 2 == 0 ? a : b;
        FakeConnection c = in(on, "u" + (i % 300), "r" + (i % 7));
        if (i % 3 == 0) {
          on.join(c.id(), "r" + ((i + 1) % 7));
        }
        if (i % 2 == 0) {
          c.peerClosed(CloseCodes.NORMAL);
        } else {
          c.peerClosedSilently();
          on.disconnect(c.id(), CloseCodes.GOING_AWAY, "churn");
        }
      }

      await("every room empty but the watcher's user, on both nodes")
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                for (Hub<String> h : List.of(a, b)) {
                  for (int r = 0; r < 7; r++) {
                    int expected = r == 0 ? 1 : 0; // the watcher, seen on both nodes
                    if (h.presence("r" + r).count() != expected) {
                      return false;
                    }
                  }
                }
                return true;
              });
      assertThat(a.presence("r0").users())
          .extracting(PresenceUser::user)
          .containsExactly("watcher");
      assertThat(watcher.texts()).isNotEmpty();
    }

    @Test
    void withoutTheMedium_eachNodeAnswersForItsOwn_andTheyConvergeWhenItIsBack() {
      InMemoryBackplane.Group g = group();
      Hub<String> a = hub("a", fast(), g);
      Hub<String> b = hub("b", fast(), g);
      FakeConnection ada = in(a, "ada", "r");
      FakeConnection bob = in(b, "bob", "r");
      await().atMost(WAIT).until(() -> a.presence("r").count() == 2);

      g.down(true);
      await("each node alone, and saying so")
          .atMost(WAIT)
          .until(() -> a.presence("r").count() == 1 && a.presence("r").partial());
      await().atMost(WAIT).until(() -> b.presence("r").count() == 1 && b.presence("r").partial());
      FakeConnection cy = in(a, "cy", "r"); // joins during the outage: a sees it at once
      awaitText(cy, "snap:r:2:ada,cy");
      awaitText(ada, "diff:r:+cy:-:2");

      g.down(false);
      await("converged")
          .atMost(WAIT)
          .until(
              () ->
                  b.presence("r").count() == 3
                      && !b.presence("r").partial()
                      && a.presence("r").count() == 3
                      && !a.presence("r").partial());
      awaitText(bob, "diff:r:+ada,cy:-:3");
    }

    @Test
    void aSignalThatIsNoSignal_isSkipped_andPresenceGoesOn() {
      InMemoryBackplane.Group g = group();
      Hub<String> a = hub("a", fast(), g);
      var rogue = g.join();
      rogue.start("rogue", e -> {});
      rogue.signal(new byte[] {1, 2, 3});
      rogue.signal(new byte[] {9});
      FakeConnection ada = in(a, "ada", "r");

      awaitText(ada, "snap:r:1:ada");
      assertThat(a.presence("r").count()).isEqualTo(1);
    }
  }
}
