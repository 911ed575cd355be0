package dev.hubcast.jakarta.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import dev.hubcast.core.spi.ServerFrames;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hub connection on a servlet container's upgraded HTTP connection ({@link
 * HttpUpgradeHandler}), speaking WebSocket itself: the container moves bytes, this class frames
 * them. It is the {@link Connection} the hub sends to, the {@link ReadListener} that reads the
 * client's frames (through {@link FrameReader}) and the {@link WriteListener} that writes the
 * queued ones.
 *
 * <p>Sends: queued, and written by whichever thread finds no write under way (the hub's, or the
 * container's in {@link #onWritePossible}) while the container's output {@link
 * ServletOutputStream#isReady is ready}. Everything queued at that moment leaves in one write (up
 * to {@link #BATCH_BYTES}): a message's frame is built once ({@link Message#wireForm}) and shared
 * by every recipient. A send completes when the container has taken its bytes; when the output is
 * not ready (a client that does not read), sends wait in the queue, where the hub's outbox counts
 * them, until the container calls {@link #onWritePossible}.
 *
 * <p>Closes: the hub's close queues a close frame behind the sends; once it is written, the
 * connection waits for the client's close (reading on, and dropping data) up to the close timeout,
 * then ends. A protocol error closes the same way, with its code. A client's close is answered with
 * the same code. The end is reported to the hub once, with the client's close code, or 1006 when
 * there was none.
 *
 * <p>Threading: the container calls the listener methods one at a time per listener; the hub calls
 * {@link #send} one at a time and {@link #close} from any thread; a timer runs the idle checks and
 * the close timeout. They meet in the queue, a few atomic fields and the hand-over between {@link
 * #init} and an early end (under this object's lock). Public only so that the container can make it
 * ({@code HttpServletRequest.upgrade}); not for applications.
 */
public final class UpgradeConnection
    implements HttpUpgradeHandler, ReadListener, WriteListener, Connection, FrameReader.Handler {

  private static final Logger log = LoggerFactory.getLogger(UpgradeConnection.class);

  /** At most this many bytes of queued frames are joined into one write. */
  static final int BATCH_BYTES = 64 * 1024;

  private static final int READ_BUFFER_BYTES = 16 * 1024;
  private static final ThreadLocal<byte[]> READ_BUFFER =
      ThreadLocal.withInitial(() -> new byte[READ_BUFFER_BYTES]);

  private static final Message.WireKey<byte[]> FRAME = Message.WireKey.of("hub-jakarta frame");

  private UpgradeEndpoint endpoint;
  private String id;
  private Handshake handshake;

  private WebConnection web;
  private ServletInputStream in;
  private ServletOutputStream out;
  private FrameReader reader;
  private IdleWatch idle;

  private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  private volatile boolean started; // the output is non-blocking: writes may begin
  private volatile boolean blocked; // the output said not ready; onWritePossible will follow
  private volatile boolean closeWritten; // our close frame has left: nothing more is written
  private volatile boolean peerClosed; // the client's close frame came in
  private volatile boolean ended;
  private volatile boolean hangUpWhenFlushed; // after our close: end without awaiting an answer
  private Item carry; // writer-confined: polled, not yet written (it did not fit the last write)

  // Guarded by this: the hand-over between init and an early end.
  private Inbound inbound;
  private int endCode = CloseCodes.ABNORMAL;
  private String endReason = "";
  private volatile int sentCode = CloseCodes.ABNORMAL; // our close frame's, once queued
  private volatile String sentReason = "";
  private ScheduledFuture<?> closeTimer;
  private boolean delivering; // the reader is inside sink.onMessage
  private boolean endPending; // the end came meanwhile: the reader reports it

  /** Made by the container, through {@code HttpServletRequest.upgrade}. */
  public UpgradeConnection() {}

  /** Called by {@link UpgradeServlet} on the request's thread, before the container calls init. */
  void prepare(UpgradeEndpoint endpoint, Admission admission) {
    this.endpoint = endpoint;
    this.id = admission.connectionId();
    this.handshake = admission.handshake();
    this.reader = new FrameReader(endpoint.settings.maxMessageBytes(), this);
    this.idle =
        new IdleWatch(
            endpoint.timer,
            endpoint.settings,
            () -> {
              queue.add(new Control(controlFrame(ServerFrames.OPCODE_PING, new byte[0], 0), false));
              drain();
            },
            () -> {
              log.debug("connection {}: silent for the idle timeout; closing", id);
              close(CloseCodes.GOING_AWAY, "idle timeout");
            },
            () -> closeRequested.get() || ended);
  }

  // ------------------------------------------------------------------ HttpUpgradeHandler

  @Override
  public void init(WebConnection connection) {
    this.web = connection;
    try {
      in = connection.getInputStream();
      out = connection.getOutputStream();
    } catch (IOException e) {
      log.debug("connection {}: no streams: {}", id, e.toString());
      abort();
      return;
    }
    endpoint.opened(this);
    Inbound sink;
    try {
      sink = endpoint.acceptor.open(this);
    } catch (RuntimeException e) {
      log.warn("connection {}: the hub could not open it", id, e);
      abort();
      return;
    }
    boolean endedMeanwhile;
    synchronized (this) {
      inbound = sink;
      endedMeanwhile = ended;
      if (!endedMeanwhile) {
        idle.start();
      }
    }
    if (endedMeanwhile) {
      finishEnd();
      return;
    }
    // Non-blocking from here: the container calls onWritePossible, then onDataAvailable.
    out.setWriteListener(this);
    started = true;
    in.setReadListener(this);
    drain(); // what open queued, if the container's first onWritePossible came before started
  }

  @Override
  public void destroy() {
    ended(CloseCodes.ABNORMAL, "connection lost");
  }

  // ------------------------------------------------------------------ Connection (hub -> client)

  @Override
  public String id() {
    return id;
  }

  @Override
  public Handshake handshake() {
    return handshake;
  }

  @Override
  public void send(Message frame, SendCompletion completion) {
    if (closeRequested.get() || ended) {
      completion.complete(frame, new ClosedChannelException());
      return;
    }
    queue.add(new Send(frame, completion));
    drain();
  }

  @Override
  public void close(int code, String reason) {
    closeWith(code, CloseCodes.truncateReason(reason));
  }

  @Override
  public boolean isOpen() {
    return !closeRequested.get() && !ended;
  }

  /** Queues our close frame, once; after the close timeout the connection ends regardless. */
  private void closeWith(int code, String reason) {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    sentCode = code;
    sentReason = reason;
    queue.add(
        new Control(
            closeFrame(CloseCodes.sendableOr(code, CloseCodes.INTERNAL_ERROR), reason), true));
    scheduleCloseTimeout();
    drain();
  }

  /** Ends the connection after the close timeout, whatever the client does. */
  private void scheduleCloseTimeout() {
    boolean rejected = false;
    synchronized (this) {
      if (ended) {
        return;
      }
      try {
        closeTimer =
            endpoint.timer.schedule(
                () -> {
                  log.debug("connection {}: the close did not complete in time", id);
                  abort();
                },
                endpoint.settings.closeTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        rejected = true; // the endpoint's timer has stopped: nothing would ever end this one
      }
    }
    if (rejected) {
      abort();
    }
  }

  // ------------------------------------------------------------------ writing

  /**
   * Writes what is queued while the output is ready. One thread writes at a time ({@link
   * #writing}); a thread that finds it taken leaves its item to the writer, which looks at the
   * queue again after letting go. Once the connection has ended, the writer fails what is queued.
   */
  private void drain() {
    while (hasWork()) {
      if (!writing.compareAndSet(false, true)) {
        return;
      }
      try {
        if (!ended) {
          writeQueued();
        }
      } catch (IOException | RuntimeException e) {
        log.debug("connection {}: write failed: {}", id, e.toString());
        abort();
      } finally {
        writing.set(false);
      }
      if (ended) {
        finishEnd();
        return;
      }
    }
  }

  private boolean hasWork() {
    if (queue.isEmpty() && carry == null && !(closeWritten && hangUpWhenFlushed)) {
      return false;
    }
    return ended || (started && !blocked);
  }

  private void writeQueued() throws IOException {
    List<Item> taken = new ArrayList<>(); // written or being written: completed here, either way
    try {
      while (!ended) {
        // Set first: if the output is not ready, onWritePossible clears it, even before we look.
        blocked = true;
        if (!out.isReady()) {
          return;
        }
        blocked = false;
        if (closeWritten) {
          failQueued();
          if (hangUpWhenFlushed) {
            abort(); // our close has been flushed, and nothing more is awaited
          }
          return;
        }
        Item first = carry != null ? carry : queue.poll();
        carry = null;
        if (first == null) {
          return;
        }
        taken.clear();
        taken.add(first);
        byte[] firstBytes = first.bytes();
        Item item = first.isClose() || firstBytes.length > BATCH_BYTES / 2 ? null : queue.poll();
        if (item == null) {
          out.write(firstBytes);
        } else {
          // Several: joined into one write of up to BATCH_BYTES; one that does not fit is the
          // first of the next. A fresh array: a container may keep it until the write is done.
          int size = firstBytes.length;
          while (item != null) {
            int length = item.bytes().length;
            if (size + length > BATCH_BYTES) {
              carry = item;
              break;
            }
            size += length;
            taken.add(item);
            item = item.isClose() ? null : queue.poll();
          }
          byte[] batch = new byte[size];
          int at = 0;
          for (Item t : taken) {
            byte[] bytes = t.bytes();
            System.arraycopy(bytes, 0, batch, at, bytes.length);
            at += bytes.length;
          }
          out.write(batch);
        }
        flush();
        for (Item t : taken) {
          wrote(t);
        }
        taken.clear();
      }
    } catch (IOException | RuntimeException e) {
      for (Item t : taken) {
        if (t instanceof Send send) {
          send.finish(e); // a repeat is ignored
        }
      }
      throw e;
    }
  }

  /** Flushes if the output allows it now; otherwise the write under way carries the bytes. */
  private void flush() throws IOException {
    if (out.isReady()) {
      out.flush();
    }
  }

  private void wrote(Item item) {
    if (item instanceof Send send) {
      send.finish(null);
    } else if (item.isClose()) {
      closeWritten = true;
      if (peerClosed) {
        hangUpWhenFlushed = true; // the handshake is complete once it has left
      }
    }
  }

  /** Fails what is queued; by the writer, or once the connection has ended. */
  private void failQueued() {
    Item item = carry;
    carry = null;
    if (item instanceof Send send) {
      send.finish(new ClosedChannelException());
    }
    while ((item = queue.poll()) != null) {
      if (item instanceof Send s) {
        s.finish(new ClosedChannelException());
      }
    }
  }

  @Override
  public void onWritePossible() {
    blocked = false;
    drain();
  }

  // ------------------------------------------------------------------ reading

  @Override
  public void onDataAvailable() throws IOException {
    byte[] buffer = READ_BUFFER.get();
    while (in.isReady()) {
      int n = in.read(buffer);
      if (n < 0) {
        return; // onAllDataRead follows
      }
      if (n > 0 && !reader.isDone()) {
        idle.heard();
        reader.feed(buffer, 0, n);
      }
    }
  }

  @Override
  public void onAllDataRead() {
    abort(); // the client closed its side: with its close code if it sent one
  }

  @Override
  public void onError(Throwable t) {
    log.debug("connection {}: {}", id, t.toString());
    ended(CloseCodes.ABNORMAL, "connection lost");
  }

  // ------------------------------------------------------------------ FrameReader.Handler

  @Override
  public void onMessage(Message message) {
    Inbound sink;
    synchronized (this) {
      if (closeRequested.get() || ended) {
        return; // closing: what the client still sends is dropped
      }
      sink = inbound; // set: reading starts after init opened the connection
      delivering = true;
    }
    try {
      sink.onMessage(message);
    } catch (RuntimeException e) {
      log.warn("connection {}: message not delivered to the hub", id, e);
      closeWith(CloseCodes.INTERNAL_ERROR, "internal error");
    } finally {
      boolean report;
      synchronized (this) {
        delivering = false;
        report = endPending;
        endPending = false;
      }
      if (report) {
        finishEnd(); // the end came during the delivery: reported after it, not beside it
      }
    }
  }

  @Override
  public void onPing(byte[] payload) {
    if (!closeRequested.get()) {
      queue.add(
          new Control(controlFrame(ServerFrames.OPCODE_PONG, payload, payload.length), false));
      drain();
    }
  }

  @Override
  public void onPong() {
    // Counts as traffic (IdleWatch.heard, for every byte read), nothing more.
  }

  @Override
  public void onClose(int code, String reason) {
    synchronized (this) {
      endCode = code;
      endReason = reason;
    }
    peerClosed = true;
    if (closeRequested.get()) {
      if (closeWritten) {
        hangUpWhenFlushed = true; // our close had left: the handshake is complete
        drain();
      }
      return; // our close is queued: once written, the connection ends
    }
    // Answered with the same code (none for 1005), then the connection ends.
    closeRequested.set(true);
    byte[] answer =
        code == CloseCodes.NO_STATUS
            ? controlFrame(ServerFrames.OPCODE_CLOSE, new byte[0], 0)
            : closeFrame(code, "");
    queue.add(new Control(answer, true));
    scheduleCloseTimeout();
    drain();
  }

  @Override
  public void onError(int code, String reason) {
    log.debug("connection {}: {} ({})", id, reason, code);
    if (code == CloseCodes.PROTOCOL_ERROR || reader.isDone()) {
      // The bytes that follow cannot be read, or the client's close came already (a bad one): the
      // connection is failed (RFC 6455, 7.1.7), ended once our close has left, without awaiting
      // an answer.
      hangUpWhenFlushed = true;
    }
    closeWith(code, reason);
    drain(); // our close may be queued or written already: the writer hangs up once it has left
  }

  // ------------------------------------------------------------------ the end

  /**
   * Ends the connection now, and reports the end with the client's close code if it sent one, else
   * ours if it left, else 1006.
   */
  private void abort() {
    int code;
    String reason;
    synchronized (this) {
      code = endCode;
      reason = endReason;
    }
    if (!peerClosed) {
      code = closeWritten ? sentCode : CloseCodes.ABNORMAL;
      reason = closeWritten ? sentReason : "connection closed";
    }
    ended(code, reason);
  }

  /**
   * The end, once: closes the upgraded connection, cancels the timers, reports the close to the
   * hub; what is queued fails (by the writer, or here if there is none).
   */
  private void ended(int code, String reason) {
    Inbound sink;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      endCode = code;
      endReason = reason == null ? "" : reason;
      sink = inbound;
      if (idle != null) {
        idle.stop();
      }
      if (closeTimer != null) {
        closeTimer.cancel(false);
      }
    }
    if (endpoint != null) {
      endpoint.ended(this);
    }
    WebConnection w = web;
    if (w != null) {
      try {
        w.close();
      } catch (Exception e) {
        log.debug("connection {}: close failed: {}", id, e.toString());
      }
    }
    finishEnd();
  }

  /**
   * Fails what is queued, then reports the close to the hub (once): every send is complete when the
   * hub hears of the end. Done by whoever holds the writer's flag last: if a writer is at work, it
   * calls this once it lets go. Before init has the hub's sink, init calls it.
   */
  private void finishEnd() {
    do {
      if (!writing.compareAndSet(false, true)) {
        return; // the writer calls this after letting go
      }
      try {
        failQueued();
      } finally {
        writing.set(false);
      }
    } while (!queue.isEmpty());
    Inbound sink;
    synchronized (this) {
      if (delivering) {
        endPending = true; // the reader reports it once its delivery returns
        return;
      }
      sink = inbound;
    }
    if (sink != null) {
      reportClose(sink);
    }
  }

  private void reportClose(Inbound sink) {
    if (closeReported.compareAndSet(false, true)) {
      int code;
      String reason;
      synchronized (this) {
        code = endCode;
        reason = endReason;
      }
      try {
        sink.onClose(code, reason);
      } catch (RuntimeException e) {
        log.warn("connection {}: close not reported to the hub", id, e);
      }
    }
  }

  @Override
  public String toString() {
    return "UpgradeConnection[" + id + "]";
  }

  // ------------------------------------------------------------------ frames

  private static byte[] frameOf(Message message) {
    int length = message.length();
    int opcode = message.isText() ? ServerFrames.OPCODE_TEXT : ServerFrames.OPCODE_BINARY;
    ByteBuffer frame = ByteBuffer.allocate(ServerFrames.headerLength(length) + length);
    ServerFrames.putHeader(frame, opcode, length);
    message.copyTo(frame);
    return frame.array();
  }

  private static byte[] closeFrame(int code, String reason) {
    byte[] reasonBytes = CloseCodes.reasonBytes(reason);
    byte[] payload = new byte[2 + reasonBytes.length];
    payload[0] = (byte) (code >> 8);
    payload[1] = (byte) code;
    System.arraycopy(reasonBytes, 0, payload, 2, reasonBytes.length);
    return controlFrame(ServerFrames.OPCODE_CLOSE, payload, payload.length);
  }

  private static byte[] controlFrame(int opcode, byte[] payload, int length) {
    ByteBuffer frame = ByteBuffer.allocate(2 + length);
    ServerFrames.putHeader(frame, opcode, length);
    frame.put(payload, 0, length);
    return frame.array();
  }

  // ------------------------------------------------------------------ queue items

  private interface Item {
    byte[] bytes();

    default boolean isClose() {
      return false;
    }
  }

  private record Control(byte[] bytes, boolean isClose) implements Item {}

  private final class Send implements Item {
    final Message frame;
    final SendCompletion completion;
    private boolean done; // confined to the writer, or to the end after the writer let go

    Send(Message frame, SendCompletion completion) {
      this.frame = frame;
      this.completion = completion;
    }

    @Override
    public byte[] bytes() {
      return frame.wireForm(FRAME, UpgradeConnection::frameOf);
    }

    void finish(Throwable failure) {
      if (done) {
        return;
      }
      done = true;
      try {
        completion.complete(frame, failure);
      } catch (RuntimeException e) {
        log.warn("connection {}: send completion threw", id, e);
      }
    }
  }
}
