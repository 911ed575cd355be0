package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads joining, leaving, closing and broadcasting at once. Checks: nothing offered to a
 * connection after its close (at most the one frame already on its way to the transport, whose send
 * then fails), FIFO per connection per broadcaster, and registry, rooms, users and address tracker
 * empty at the end.
 */
class HubStressTest {

  private static final int THREADS = 8;
  private static final int OPS = Integer.getInteger("hubcast.stress.ops", 2000);

  @Test
  @Timeout(60)
  void concurrentJoinLeaveCloseBroadcast_keepInvariants() throws Exception {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .policy(BroadcastPolicy.NONE)
                .historySize(8)
                .authenticator(h -> AuthResult.user("u" + h.queryParam("u").orElse("0")))
                .build());
    ConcurrentLinkedQueue<FakeConnection> all = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                go.await();
                ThreadLocalRandom r = ThreadLocalRandom.current();
                List<FakeConnection> mine = new ArrayList<>();
                for (int i = 0; i < OPS; i++) {
                  int op = r.nextInt(10);
                  if (op < 2 || mine.isEmpty()) {
                    FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "u=" + r.nextInt(5));
                    mine.add(c);
                    all.add(c);
                  } else if (op < 4) {
                    hub.join(pick(mine, r).id(), "room" + r.nextInt(4));
                  } else if (op < 5) {
                    hub.leave(pick(mine, r).id(), "room" + r.nextInt(4));
                  } else if (op < 6) {
                    FakeConnection c = mine.remove(r.nextInt(mine.size()));
                    if (r.nextBoolean()) {
                      c.peerClosed(CloseCodes.NORMAL);
                    } else {
                      hub.disconnect(c.id(), CloseCodes.NORMAL, "bye");
                    }
                  } else if (op < 8) {
                    hub.broadcast(Target.all(), thread + ":" + i);
                  } else if (op < 9) {
                    hub.broadcast(Target.room("room" + r.nextInt(4)), thread + ":" + i);
                  } else {
                    hub.broadcast(Target.user("u" + r.nextInt(5)), thread + ":" + i);
                  }
                }
                for (FakeConnection c : mine) {
                  c.peerClosed(CloseCodes.GOING_AWAY);
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : futures) {
      f.get(50, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(hub.clients()).isEmpty();
    assertThat(hub.rooms()).isEmpty();
    assertThat(hub.users()).isEmpty();
    assertThat(hub.metrics().connections()).isZero();
    assertThat(hub.metrics().pendingFrames()).isZero();
    assertThat(dev.hubcast.core.internal.HubInternals.trackedAddresses(hub)).isZero();
    for (FakeConnection c : all) {
      // A FakeConnection delivers nothing once closed; what can still reach send() is the one
      // frame the outbox's single drainer had already taken when the close happened. It fails.
      assertThat(c.sendsAfterClose()).as("sends after close to %s", c.id()).isLessThanOrEqualTo(1);
      int[] last = new int[THREADS];
      java.util.Arrays.fill(last, -1);
      for (String m : c.texts()) {
        int thread = Integer.parseInt(m.substring(0, m.indexOf(':')));
        int seq = Integer.parseInt(m.substring(m.indexOf(':') + 1));
        assertThat(seq)
            .as("FIFO from broadcaster %d to %s", thread, c.id())
            .isGreaterThan(last[thread]);
        last[thread] = seq;
      }
    }
    assertThat(all.size()).isGreaterThan(THREADS * OPS / 10);
    hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
  }

  private static FakeConnection pick(List<FakeConnection> list, ThreadLocalRandom r) {
    return list.get(r.nextInt(list.size()));
  }
}
