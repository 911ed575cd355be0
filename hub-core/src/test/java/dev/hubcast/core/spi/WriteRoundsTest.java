package dev.hubcast.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.spi.WriteRounds.NextRound;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rounds against recording targets: what runs, in which order, when targets are flushed, and
 * how rounds are scheduled, with a scheduler the test runs by hand, a refusing one, and real
 * threads.
 */
@Timeout(30)
class WriteRoundsTest {

  private final List<String> events = new CopyOnWriteArrayList<>();

  /** A target that records its flushes in {@link #events}. */
  class Recorded extends WriteRounds.Target {
    final String name;

    Recorded(String name) {
      this.name = name;
    }

    @Override
    protected void flush() {
      events.add("flush " + name);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** An operation that records its run (or its rejection) in {@link #events}. */
  final class Step extends WriteRounds.Op<Recorded> {
    final String label;
    final boolean needsFlush;
    Runnable during = () -> {};

    Step(Recorded target, String label) {
      this(target, label, true);
    }

    Step(Recorded target, String label, boolean needsFlush) {
      super(target);
      this.label = label;
      this.needsFlush = needsFlush;
    }

    @Override
    protected boolean run() {
      events.add(label);
      during.run();
      return needsFlush;
    }

    @Override
    protected void reject(Throwable cause) {
      events.add("rejected " + label + ": " + cause.getMessage());
    }
  }

  /** Rounds whose schedule() queues the round as a task that the test runs. */
  static final class ManualRounds extends WriteRounds {
    final Queue<Runnable> tasks = new ArrayDeque<>();
    int schedules;

    ManualRounds(int budget, NextRound nextRound) {
      super(budget, nextRound);
    }

    @Override
    protected void schedule() {
      schedules++;
      tasks.add(this);
    }

    int runTasks() {
      int ran = 0;
      Runnable task;
      while ((task = tasks.poll()) != null) {
        task.run();
        ran++;
      }
      return ran;
    }
  }

  private ManualRounds manual(NextRound nextRound) {
    return new ManualRounds(WriteRounds.DEFAULT_BUDGET, nextRound);
  }

  @ParameterizedTest
  @EnumSource(NextRound.class)
  void submit_runsNothingUntilTheRound_thenRunsInOrder_withOneFlushPerTarget(NextRound next) {
    ManualRounds rounds = manual(next);
    Recorded a = new Recorded("a");
    Recorded b = new Recorded("b");

    rounds.submit(new Step(a, "a1"));
    rounds.submit(new Step(b, "b1"));
    rounds.submit(new Step(a, "a2"));
    rounds.submit(new Step(b, "b2"));
    rounds.submit(new Step(a, "a3"));
    assertThat(events).isEmpty();

    assertThat(rounds.runTasks()).isEqualTo(1);
    assertThat(events).containsExactly("a1", "b1", "a2", "b2", "a3", "flush a", "flush b");
  }

  @Test
  void submit_whileARoundIsScheduled_schedulesNoOther() {
    ManualRounds rounds = manual(NextRound.RESCHEDULE);
    Recorded a = new Recorded("a");
    for (int i = 0; i < 100; i++) {
      rounds.submit(new Step(a, "m" + i));
    }
    assertThat(rounds.schedules).isEqualTo(1);

    rounds.runTasks();
    assertThat(events).hasSize(101).endsWith("flush a");
    assertThat(rounds.schedules).isEqualTo(1);
  }

  @Test
  void eachRound_runsWhatWasSubmittedSinceTheLast() {
    ManualRounds rounds = manual(NextRound.RESCHEDULE);
    Recorded a = new Recorded("a");

    rounds.submit(new Step(a, "one"));
    rounds.runTasks();
    rounds.submit(new Step(a, "two"));
    rounds.submit(new Step(a, "three"));
    rounds.runTasks();

    assertThat(events).containsExactly("one", "flush a", "two", "three", "flush a");
    assertThat(rounds.schedules).isEqualTo(2);
  }

  @Test
  void op_thatNeedsNoFlush_leavesItsTargetUnflushed() {
    ManualRounds rounds = manual(NextRound.RESCHEDULE);
    Recorded a = new Recorded("a");
    Recorded b = new Recorded("b");

    rounds.submit(new Step(a, "close a", false));
    rounds.submit(new Step(b, "b1"));
    rounds.runTasks();

    assertThat(events).containsExactly("close a", "b1", "flush b");
  }

  @Test
  void budget_withContinue_flushesAfterEachBudget_andGoesOnOnTheSameThread() {
    ManualRounds rounds = new ManualRounds(2, NextRound.CONTINUE);
    Recorded a = new Recorded("a");
    for (int i = 1; i <= 5; i++) {
      rounds.submit(new Step(a, "m" + i));
    }

    assertThat(rounds.runTasks()).isEqualTo(1);
    assertThat(events)
        .containsExactly("m1", "m2", "flush a", "m3", "m4", "flush a", "m5", "flush a");
    assertThat(rounds.schedules).isEqualTo(1);
  }

  @Test
  void budget_withReschedule_runsOneRound_thenSchedulesTheNext() {
    ManualRounds rounds = new ManualRounds(2, NextRound.RESCHEDULE);
    Recorded a = new Recorded("a");
    for (int i = 1; i <= 5; i++) {
      rounds.submit(new Step(a, "m" + i));
    }

    rounds.tasks.poll().run();
    assertThat(events).containsExactly("m1", "m2", "flush a");
    assertThat(rounds.tasks).hasSize(1); // rescheduled: more is queued

    assertThat(rounds.runTasks()).isEqualTo(2);
    assertThat(events)
        .containsExactly("m1", "m2", "flush a", "m3", "m4", "flush a", "m5", "flush a");
    assertThat(rounds.schedules).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(NextRound.class)
  void submitFromAnOp_runsInTheSameRound_afterWhatWasQueued(NextRound next) {
    ManualRounds rounds = manual(next);
    Recorded a = new Recorded("a");
    Recorded b = new Recorded("b");
    Step first = new Step(a, "a1");
    first.during = () -> rounds.submit(new Step(b, "b2 (submitted by a1)"));

    rounds.submit(first);
    rounds.submit(new Step(b, "b1"));
    assertThat(rounds.runTasks()).isEqualTo(1);

    assertThat(events).containsExactly("a1", "b1", "b2 (submitted by a1)", "flush a", "flush b");
  }

  @Test
  void op_thatThrows_isRejectedWithItsException_andTheRoundGoesOn() {
    ManualRounds rounds = manual(NextRound.RESCHEDULE);
    Recorded a = new Recorded("a");
    Recorded b = new Recorded("b");
    Step broken = new Step(a, "a1");
    broken.during =
        () -> {
          throw new IllegalStateException("broken");
        };

    rounds.submit(broken);
    rounds.submit(new Step(b, "b1"));
    rounds.runTasks();

    assertThat(events).containsExactly("a1", "rejected a1: broken", "b1", "flush b");
  }

  @Test
  void op_thatThrowsAnError_isRejected_andLaterRoundsStillRun() {
    ManualRounds rounds = manual(NextRound.RESCHEDULE);
    Recorded a = new Recorded("a");
    Step broken = new Step(a, "a1");
    broken.during =
        () -> {
          throw new OutOfMemoryError("Cannot reserve direct buffer memory");
        };

    rounds.submit(broken);
    rounds.submit(new Step(a, "a2"));
    rounds.runTasks();
    rounds.submit(new Step(a, "a3"));
    rounds.runTasks();

    assertThat(events)
        .containsExactly(
            "a1",
            "rejected a1: Cannot reserve direct buffer memory",
            "a2",
            "flush a",
            "a3",
            "flush a");
  }

  @Test
  void schedule_thatThrows_failsWhatIsQueued_andTheNextSubmitSchedulesAgain() {
    AtomicInteger schedules = new AtomicInteger();
    WriteRounds rounds =
        new WriteRounds(NextRound.RESCHEDULE) {
          @Override
          protected void schedule() {
            if (schedules.incrementAndGet() == 1) {
              throw new IllegalStateException("no executor yet");
            }
            run();
          }
        };
    Recorded a = new Recorded("a");

    rounds.submit(new Step(a, "m1"));
    rounds.submit(new Step(a, "m2"));

    assertThat(events).containsExactly("rejected m1: no executor yet", "m2", "flush a");
    assertThat(schedules).hasValue(2);
  }

  @Test
  void flush_thatThrows_doesNotStopTheOtherFlushes_norLaterRounds() {
    ManualRounds rounds = manual(NextRound.RESCHEDULE);
    Recorded broken =
        new Recorded("broken") {
          @Override
          protected void flush() {
            super.flush();
            throw new IllegalStateException("socket gone");
          }
        };
    Recorded b = new Recorded("b");

    rounds.submit(new Step(broken, "x1"));
    rounds.submit(new Step(b, "b1"));
    rounds.runTasks();
    rounds.submit(new Step(broken, "x2"));
    rounds.runTasks();

    assertThat(events).containsExactly("x1", "b1", "flush broken", "flush b", "x2", "flush broken");
  }

  @Test
  void rejectQueued_failsEveryQueuedOpWithTheCause_onTheSubmitter_andLaterSubmitsToo() {
    WriteRounds rounds =
        new WriteRounds(NextRound.RESCHEDULE) {
          @Override
          protected void schedule() {
            rejectQueued(new RejectedExecutionException("loop gone"));
          }
        };
    Recorded a = new Recorded("a");

    rounds.submit(new Step(a, "m1"));
    rounds.submit(new Step(a, "m2"));

    assertThat(events).containsExactly("rejected m1: loop gone", "rejected m2: loop gone");
  }

  @Test
  void rejectedSchedule_mayRunTheRoundOnTheCaller() {
    Thread caller = Thread.currentThread();
    AtomicBoolean onCaller = new AtomicBoolean();
    WriteRounds rounds =
        new WriteRounds(NextRound.CONTINUE) {
          @Override
          protected void schedule() {
            run(); // the pool refused the task
          }
        };
    Recorded a = new Recorded("a");
    Step step = new Step(a, "still written");
    step.during = () -> onCaller.set(Thread.currentThread() == caller);

    rounds.submit(step);

    assertThat(events).containsExactly("still written", "flush a");
    assertThat(onCaller).isTrue();
  }

  @Test
  void construction_refusesABudgetBelowOne() {
    assertThatThrownBy(() -> new ManualRounds(0, NextRound.CONTINUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("budget: 0 (expected: > 0)");
  }

  /**
   * Many threads submit to shared targets while a real pool runs the rounds: every operation runs
   * once, each thread's operations on a target run in the order it submitted them, no two rounds
   * overlap, and every target is flushed after its last write, and never with nothing written since
   * its last flush.
   */
  @ParameterizedTest
  @EnumSource(NextRound.class)
  void concurrentSubmitters_eachOpRunsOnce_inOrderPerSubmitterAndTarget(NextRound next)
      throws Exception {
    int threads = 8;
    int perThread = 20_000;
    int targetCount = 16;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicBoolean busy = new AtomicBoolean(); // set while an op or a flush runs
    AtomicInteger overlaps = new AtomicInteger();
    Queue<String> faults = new ConcurrentLinkedQueue<>();
    CountDownLatch allRan = new CountDownLatch(threads * perThread);

    final class Counted extends WriteRounds.Target {
      final int index;
      // Confined to the rounds.
      final int[] lastSeq = new int[threads];
      int ran;
      boolean unflushed;

      Counted(int index) {
        this.index = index;
        Arrays.fill(lastSeq, -1);
      }

      @Override
      protected void flush() {
        if (!busy.compareAndSet(false, true)) {
          overlaps.incrementAndGet();
        }
        if (!unflushed) {
          faults.add("target " + index + " flushed with nothing written since its last flush");
        }
        unflushed = false;
        busy.set(false);
      }
    }

    final class Numbered extends WriteRounds.Op<Counted> {
      final int thread;
      final int seq;

      Numbered(Counted target, int thread, int seq) {
        super(target);
        this.thread = thread;
        this.seq = seq;
      }

      @Override
      protected boolean run() {
        if (!busy.compareAndSet(false, true)) {
          overlaps.incrementAndGet();
        }
        Counted t = target();
        if (t.lastSeq[thread] >= seq) {
          faults.add(
              "thread "
                  + thread
                  + ", target "
                  + t.index
                  + ": "
                  + seq
                  + " after "
                  + t.lastSeq[thread]);
        }
        t.lastSeq[thread] = seq;
        t.ran++;
        t.unflushed = true;
        busy.set(false);
        allRan.countDown();
        return true;
      }

      @Override
      protected void reject(Throwable cause) {
        faults.add("rejected: " + cause);
      }
    }

    WriteRounds rounds =
        new WriteRounds(64, next) {
          @Override
          protected void schedule() {
            pool.execute(this);
          }
        };

    List<Counted> targets = new ArrayList<>();
    for (int i = 0; i < targetCount; i++) {
      targets.add(new Counted(i));
    }
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread submitter =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                for (int seq = 0; seq < perThread; seq++) {
                  Counted target = targets.get((seq + thread) % targetCount);
                  rounds.submit(new Numbered(target, thread, seq));
                }
              },
              "submitter-" + t);
      submitters.add(submitter);
      submitter.start();
    }
    for (Thread submitter : submitters) {
      submitter.join();
    }

    assertThat(allRan.await(20, TimeUnit.SECONDS)).as("every operation ran").isTrue();
    pool.shutdown(); // the rounds already scheduled still run: the last one flushes
    assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();

    assertThat(faults).isEmpty();
    assertThat(overlaps).hasValue(0);
    for (Counted target : targets) {
      assertThat(target.ran).isEqualTo(threads * perThread / targetCount);
      assertThat(target.unflushed)
          .as("target %d flushed after its last write", target.index)
          .isFalse();
    }
  }
}
