package dev.hubcast.core.internal;

/**
 * Marks the threads that are inside one of the hub's callbacks (an adapter's report, a handler), so
 * that the blocking {@code Hub.close()} can refuse to run where it would wait on itself. The state
 * is thread-local; each {@link #enter()} is matched by one {@link #exit()} in a {@code finally}.
 */
final class CallbackScope {
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private CallbackScope() {}

  static void enter() {
    DEPTH.get()[0]++;
  }

  static void exit() {
    DEPTH.get()[0]--;
  }

  static boolean inside() {
    return DEPTH.get()[0] > 0;
  }
}
