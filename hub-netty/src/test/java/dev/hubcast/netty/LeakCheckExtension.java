package dev.hubcast.netty;

import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
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
      collectAndProcessReferences();
      poke();
    }
    List<String> leaks = LeakRecorder.drain();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size() + " buffer leak(s) reported by Netty:\n" + String.join("\n\n", leaks));
    }
  }

  /**
   * Collects garbage and waits until the reference handler has enqueued a sentinel that was only
   * weakly reachable. The handler takes the pending references a batch at a time and finishes one
   * batch before the next, so once this round's sentinel is in, everything the previous rounds'
   * collections found (the detector's references to unreleased buffers) is in the detector's queue.
   */
  private static void collectAndProcessReferences() {
    ReferenceQueue<Object> queue = new ReferenceQueue<>();
    WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
    await("the reference handler to enqueue what the collector found")
        .atMost(Duration.ofSeconds(10))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .pollInSameThread()
        .until(
            () -> {
              System.gc();
              return queue.poll() == sentinel;
            });
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
