package dev.hubcast.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The other side of {@link ExhaustionKit}'s half-open flood, in a JVM of its own (so that its
 * sockets do not count against the server's file-descriptor limit): on {@code go} from standard
 * input it opens {@code count} TCP connections to {@code host:port}, one after another; every
 * second one sends the start of a request line and nothing more, the others send nothing. A
 * selector thread notes when the server closes each (end of stream or a reset) from the moment it
 * was connected, and reads away anything the server sends first. Prints {@code READY}, then {@code
 * CONNECTED <ms>}, then {@code DONE key=value ...} once all are closed or {@code giveUpMillis}
 * after {@code go}, and exits.
 *
 * <p>Arguments: {@code host port count giveUpMillis}.
 */
final class HalfOpenFlood {

  private static final byte[] PARTIAL_REQUEST = "GET /ws HTT".getBytes(StandardCharsets.US_ASCII);

  private final int count;
  private final long[] connectedAt;
  private final long[] closedAt;
  private final boolean[] reset;
  private final long[] bytesIn;
  private final Queue<Integer> toRegister = new ConcurrentLinkedQueue<>();
  private final SocketChannel[] channels;
  private final Selector selector;
  private final CountDownLatch allClosed;

  private HalfOpenFlood(int count) throws IOException {
    this.count = count;
    this.connectedAt = new long[count];
    this.closedAt = new long[count];
    this.reset = new boolean[count];
    this.bytesIn = new long[count];
    this.channels = new SocketChannel[count];
    this.selector = Selector.open();
    this.allClosed = new CountDownLatch(count);
  }

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    long giveUpMillis = Long.parseLong(args[3]);
    HalfOpenFlood flood = new HalfOpenFlood(count);
    System.out.println("READY");
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (!"go".equals(in.readLine())) {
      return; // the test gave up before the flood
    }
    flood.run(new InetSocketAddress(host, port), giveUpMillis);
    System.exit(0);
  }

  private void run(InetSocketAddress server, long giveUpMillis) throws Exception {
    long start = System.nanoTime();
    Thread watcher = new Thread(this::watch, "half-open-watcher");
    watcher.setDaemon(true);
    watcher.start();
    int failed = 0;
    for (int i = 0; i < count; i++) {
      try {
        SocketChannel ch = SocketChannel.open();
        ch.socket().connect(server, 10_000);
        connectedAt[i] = System.nanoTime();
        if (i % 2 == 1) {
          ch.write(ByteBuffer.wrap(PARTIAL_REQUEST));
        }
        ch.configureBlocking(false);
        channels[i] = ch;
        toRegister.add(i);
        selector.wakeup();
      } catch (IOException e) {
        failed++;
        allClosed.countDown();
      }
    }
    long connectedNanos = System.nanoTime() - start;
    System.out.println("CONNECTED " + connectedNanos / 1_000_000);
    System.out.flush();
    long left = giveUpMillis - (System.nanoTime() - start) / 1_000_000;
    allClosed.await(Math.max(0, left), TimeUnit.MILLISECONDS);
    long lastClose = 0;
    int closed = 0;
    int resets = 0;
    int withData = 0;
    long[] times = new long[count];
    int n = 0;
    synchronized (this) {
      for (int i = 0; i < count; i++) {
        if (closedAt[i] != 0) {
          closed++;
          resets += reset[i] ? 1 : 0;
          times[n++] = closedAt[i] - connectedAt[i];
          lastClose = Math.max(lastClose, closedAt[i] - start);
        }
        withData += bytesIn[i] > 0 ? 1 : 0;
      }
    }
    long[] sorted = Arrays.copyOf(times, n);
    Arrays.sort(sorted);
    System.out.println(
        "DONE connected="
            + (count - failed)
            + " failed="
            + failed
            + " closed="
            + closed
            + " resets="
            + resets
            + " withData="
            + withData
            + " connectMillis="
            + connectedNanos / 1_000_000
            + " minCloseMillis="
            + (n == 0 ? -1 : sorted[0] / 1_000_000)
            + " p50CloseMillis="
            + (n == 0 ? -1 : LatencyProbe.percentile(sorted, 50) / 1_000_000)
            + " maxCloseMillis="
            + (n == 0 ? -1 : sorted[n - 1] / 1_000_000)
            + " allClosedAfterMillis="
            + lastClose / 1_000_000);
    System.out.flush();
  }

  /** The selector thread: registers new channels, notes each close. */
  private void watch() {
    ByteBuffer buf = ByteBuffer.allocateDirect(4096);
    try {
      while (allClosed.getCount() > 0) {
        selector.select(100);
        for (Integer i = toRegister.poll(); i != null; i = toRegister.poll()) {
          channels[i].register(selector, SelectionKey.OP_READ, i);
        }
        for (SelectionKey key : selector.selectedKeys()) {
          int i = (Integer) key.attachment();
          boolean ended;
          boolean wasReset = false;
          try {
            buf.clear();
            int read = channels[i].read(buf);
            ended = read < 0;
            if (read > 0) {
              synchronized (this) {
                bytesIn[i] += read;
              }
            }
          } catch (IOException e) {
            ended = true;
            wasReset = true;
          }
          if (ended) {
            long now = System.nanoTime();
            key.cancel();
            channels[i].close();
            synchronized (this) {
              closedAt[i] = now;
              reset[i] = wasReset;
            }
            allClosed.countDown();
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      e.printStackTrace();
    }
  }
}
