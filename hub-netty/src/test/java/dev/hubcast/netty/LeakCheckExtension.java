package dev.hubcast.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran (or, caught late, before it):
 * after the class, it collects garbage a few times and allocates tracked buffers so that the
 * detector looks at what was collected, then fails on any report. Registered for every test class
 * by {@code META-INF/services} and {@code junit-platform.properties}.
 *
 * <p>Stateless; thread-safe.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    if (!LeakRecorder.installed()
        || ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
      throw new IllegalStateException(
          "Netty tests must run with -Dio.netty.leakDetection.level=paranoid and"
              + " -Dio.netty.customResourceLeakDetector="
              + LeakRecorder.class.getName()
              + " (see hub-netty/pom.xml)");
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    for (int i = 0; i < 4; i++) {
      System.gc();
      // Give the reference handler a moment to enqueue what the collector found.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      poke();
    }
    List<String> leaks = LeakRecorder.drain();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size() + " buffer leak(s) reported by Netty:\n" + String.join("\n\n", leaks));
    }
  }

  /** Tracked allocations make the detector poll its queue of collected, unreleased buffers. */
  private static void poke() {
    for (int i = 0; i < 8; i++) {
      ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
      ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
      a.release();
      b.release();
    }
  }
}
