package dev.hubcast.netty;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector, recording every leak report so that {@link LeakCheckExtension} can fail
 * the build on it. Installed with {@code -Dio.netty.customResourceLeakDetector} (see the pom).
 *
 * <p>Thread-safe.
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {

  private static final List<String> LEAKS = new ArrayList<>();

  public LeakRecorder(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  @Override
  protected boolean needReport() {
    return true;
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    record("LEAK: " + resourceType + " was released too late or never" + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    record("LEAK: " + resourceType + " was never released (no records)");
    super.reportUntracedLeak(resourceType);
  }

  private static void record(String report) {
    synchronized (LEAKS) {
      LEAKS.add(report);
    }
  }

  /** Whether this detector is the one Netty uses (the system property was set). */
  static boolean installed() {
    return LeakRecorder.class
        .getName()
        .equals(System.getProperty("io.netty.customResourceLeakDetector"));
  }

  /** Takes the reports recorded so far. */
  static List<String> drain() {
    synchronized (LEAKS) {
      List<String> all = new ArrayList<>(LEAKS);
      LEAKS.clear();
      return all;
    }
  }
}
