package dev.hubcast.testkit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * Runs the {@link TransportCompatibilityKit}'s "SPI rules" group on one transport, test by test, as
 * JUnit runs it: a fresh kit (and fixture) per test, its {@code @AfterEach} after, a skip for an
 * aborted assumption, each within a deadline on a daemon thread of its own (so a test stuck in a
 * blocking send is left behind, not waited for).
 *
 * <p>A stand-in for the JUnit Platform's {@code EngineTestKit} ({@code
 * org.junit.platform:junit-platform-testkit}), which does the same through the real engine, and
 * which this build cannot resolve yet (it is not in the offline repository). Stateless; for the
 * test's thread.
 */
final class KitRun {

  /** One test's outcome: passed ({@code failure} null and not skipped), skipped, or failed. */
  record Outcome(String test, Throwable failure, boolean skipped, Duration took) {
    boolean failed() {
      return failure != null && !skipped;
    }

    /** The failure's messages, its causes and suppressed failures included, for matching. */
    String description() {
      StringBuilder b = new StringBuilder();
      describe(failure, b, 0);
      return b.toString();
    }

    private static void describe(Throwable t, StringBuilder b, int depth) {
      if (t == null || depth > 5) {
        return;
      }
      b.append(t).append('\n');
      for (Throwable s : t.getSuppressed()) {
        describe(s, b, depth + 1);
      }
      describe(t.getCause(), b, depth + 1);
    }

    @Override
    public String toString() {
      String what = skipped ? "skipped" : failure == null ? "passed" : "FAILED " + failure;
      return test + ": " + what + " (" + took.toMillis() + " ms)";
    }
  }

  private KitRun() {}

  /** The group's tests, by name. */
  static List<Method> ruleTests() {
    return Arrays.stream(ConnectionRulesContract.class.getMethods())
        .filter(m -> m.isAnnotationPresent(Test.class))
        .sorted(Comparator.comparing(Method::getName))
        .toList();
  }

  /**
   * Runs each test of the group on a kit from {@code kits}, in name order, until one's outcome
   * matches {@code stop} (then returns what ran so far).
   */
  static List<Outcome> rules(
      Supplier<TransportCompatibilityKit> kits, Predicate<Outcome> stop, Duration perTest) {
    List<Outcome> outcomes = new ArrayList<>();
    for (Method test : ruleTests()) {
      Outcome o = run(kits.get(), test, perTest);
      outcomes.add(o);
      if (stop.test(o)) {
        break;
      }
    }
    return outcomes;
  }

  private static Outcome run(TransportCompatibilityKit kit, Method test, Duration deadline) {
    long start = System.nanoTime();
    FutureTask<Throwable> task =
        new FutureTask<>(
            () -> {
              Throwable failure = null;
              try {
                test.invoke(kit.new ConnectionRules());
              } catch (InvocationTargetException e) {
                failure = e.getCause();
              }
              try {
                kit.closeResources();
              } catch (Throwable e) {
                if (failure == null) {
                  failure = e;
                } else {
                  failure.addSuppressed(e);
                }
              }
              return failure;
            });
    Thread t = new Thread(task, "kit-self-test " + test.getName());
    t.setDaemon(true);
    t.start();
    Throwable failure;
    try {
      failure = task.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      t.interrupt();
      failure = new AssertionError("timed out after " + deadline + " (left running)");
    } catch (ExecutionException e) {
      failure = e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = e;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Outcome(test.getName(), failure, failure instanceof TestAbortedException, took);
  }
}
