package dev.hubcast.netty.internal;

import dev.hubcast.core.Message;
import dev.hubcast.core.spi.SendCompletion;
import dev.hubcast.core.spi.ServerFrames;
import dev.hubcast.core.spi.WriteRounds;
import dev.hubcast.netty.EventLoopWriteRounds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The outbound side of a {@link WebSocketSession}: its sends, the hub's close and the adapter's
 * fail, queued from any thread on the loop's {@link EventLoopWriteRounds} and run there in order,
 * so a close goes out after the frames sent before it.
 *
 * <p>Frames are framed once per message ({@link WireFrames#shared}) and written per round, corked:
 * a round that gives a connection one frame writes a {@code retainedDuplicate()} of the shared
 * form, nothing copied; a round that gives it several small ones (up to {@link #CORK_COPY_MAX} wire
 * bytes each) copies them into one pooled buffer of up to {@link #CORK_CAPACITY} bytes and writes
 * that, so the pipeline, the outbound buffer and {@code writev} see one write per connection per
 * round, not one per frame. Larger frames are written alone, as duplicates, after the cork before
 * them. Under load a round carries many broadcasts, so a write carries many frames; at low rate a
 * round carries one frame and nothing waits. The copies a connection that is behind holds are
 * bounded as its frames are: the high-water mark, and the outbox's window in flight.
 *
 * <p>A send completes at once while the connection's unsent wire bytes are within {@code
 * earlyCompletionBytes} (the channel's high-water mark), as a socket's send buffer would; past
 * that, only when Netty has written it to the socket. Completed frames carry no promise: one empty
 * promise per round, on the round's last write, gives their bytes back when they have left.
 *
 * <p>Nothing waits here for writability: while the channel is not writable, frames still go into
 * Netty's outbound buffer, and that is bounded. The hub's outbox hands a connection at most a
 * window of frames in flight ({@code Outbox.WINDOW_FRAMES} and {@code WINDOW_BYTES}, 64 frames or
 * 256 KiB), and a send past the high-water mark stays in flight until it is written; so the
 * outbound buffer holds at most the high-water mark and one window, and a stalled client's backlog
 * stays in the outbox, where its slow-consumer policy reaches it.
 *
 * <p>Thread-safe: {@link #send}, {@link #close} and {@link #fail} from any thread; the rest on the
 * channel's event loop.
 */
final class SessionWriter extends WriteRounds.Target {

  /** Why a send failed: the connection had closed, or was closing. */
  static final ConnectionClosedException CLOSED =
      new ConnectionClosedException("connection closed");

  /** The largest frame, in wire bytes, that is copied into a round's cork buffer: 4 KiB. */
  static final int CORK_COPY_MAX = 4096;

  /** The most a cork buffer holds before it is written and another begun: 64 KiB. */
  static final int CORK_CAPACITY = 64 * 1024;

  private static final int CORK_INITIAL = 2048;

  private static final AtomicLongFieldUpdater<SessionWriter> UNSENT =
      AtomicLongFieldUpdater.newUpdater(SessionWriter.class, "unsent");

  private final WebSocketSession session;
  private final CloseHandshake handshake;
  private final EventLoopWriteRounds batcher;
  private final long earlyCompletionBytes;

  /** Wire bytes sent and not yet written to the socket. */
  private volatile long unsent;

  // ---- event loop only
  private ChannelHandlerContext ctx;
  // Where data frames are written from: the first of the session's handlers, at the HTTP codec's
  // place. Pre-framed, they need none of the handlers between it and the session (the frame
  // encoder and the idle handler would only pass them on, at a cost per frame); what lies before
  // it toward the socket (TLS) still sees them. Control frames go from the session, through the
  // encoder; both are written on the loop, in call order.
  private ChannelHandlerContext wire;
  private long earlyBytesUnflushed; // wire bytes of completed frames written since the last flush
  // The round's corked frames: the first small one is held; with a second, both are copied into
  // the cork; the sends among them not completed yet wait, chained, for the cork's write.
  private SendOp held;
  private ByteBuf cork;
  private SendOp corkWaiters;
  private SendOp corkWaitersTail;

  /**
   * The writer of {@code session}.
   *
   * @param earlyCompletionBytes how many wire bytes may wait, completed, for the socket (the
   *     channel's high-water mark): it lets a healthy connection's sends complete at once, while a
   *     stalled one's complete only as they are written
   */
  SessionWriter(
      WebSocketSession session,
      CloseHandshake handshake,
      EventLoopWriteRounds batcher,
      long earlyCompletionBytes) {
    this.session = session;
    this.handshake = handshake;
    this.batcher = batcher;
    this.earlyCompletionBytes = earlyCompletionBytes;
  }

  void attach(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ChannelHandlerContext first = ctx.pipeline().context(EarlyUtf8Check.class);
    this.wire = first != null ? first : ctx;
  }

  /** Queues {@code frame}; may complete it before returning. Any thread, never blocks. */
  void send(Message frame, SendCompletion completion) {
    int wire = ServerFrames.headerLength(frame.length()) + frame.length();
    boolean early = UNSENT.addAndGet(this, wire) <= earlyCompletionBytes;
    batcher.submit(new SendOp(this, frame, early ? null : completion, wire));
    if (early) {
      // Within the connection's write buffer: complete now, as a socket's send buffer would.
      completion.complete(frame, null);
    }
  }

  /** Queues the hub's close, after the frames sent before it. Any thread. */
  void close(int code, String reason) {
    batcher.submit(new CloseOp(this, code, reason));
  }

  /** Queues the adapter's fail of the connection, after the frames sent before it. Any thread. */
  void fail(int code, String reason) {
    batcher.submit(new FailOp(this, code, reason));
  }

  /**
   * Takes {@code op}'s frame into the round; returns whether this writer needs a flush. Loop only.
   */
  private boolean write(SendOp op) {
    if (handshake.closeSent() || handshake.ended() || !ctx.channel().isActive()) {
      op.fail(CLOSED);
      return false;
    }
    ByteBuf frame = WireFrames.shared(op.frame); // framed here: a failure is this op's
    if (op.wireBytes > CORK_COPY_MAX) {
      writeCork(); // what came before it goes first
      writeAlone(op);
    } else if (cork == null && held == null) {
      held = op; // alone in the round so far: written as it is, unless another comes
    } else {
      if (cork == null) {
        cork = ctx.alloc().directBuffer(CORK_INITIAL, CORK_CAPACITY);
        SendOp first = held;
        held = null;
        copyIntoCork(first, WireFrames.shared(first.frame));
      } else if (cork.readableBytes() + op.wireBytes > CORK_CAPACITY) {
        writeCork();
        cork = ctx.alloc().directBuffer(CORK_INITIAL, CORK_CAPACITY);
      }
      copyIntoCork(op, frame);
    }
    return true;
  }

  private void copyIntoCork(SendOp op, ByteBuf frame) {
    cork.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
    if (op.completion == null) {
      earlyBytesUnflushed += op.wireBytes;
    } else if (corkWaitersTail == null) {
      corkWaiters = corkWaitersTail = op;
    } else {
      corkWaitersTail.nextWaiter = op;
      corkWaitersTail = op;
    }
  }

  private void writeAlone(SendOp op) {
    ByteBuf frame = WireFrames.shared(op.frame).retainedDuplicate();
    if (op.completion == null) {
      // Completed already: no promise per frame; flush() accounts for the batch with one marker.
      wire.write(frame, wire.voidPromise());
      earlyBytesUnflushed += op.wireBytes;
    } else {
      wire.write(frame, wire.newPromise().addListener(op));
    }
  }

  /** Writes, unflushed, what the round has corked so far. Loop only. */
  private void writeCork() {
    if (held != null) {
      SendOp op = held;
      held = null;
      writeAlone(op);
    }
    if (cork != null) {
      ByteBuf corked = cork;
      SendOp waiters = corkWaiters;
      cork = null;
      corkWaiters = corkWaitersTail = null;
      wire.write(corked, promise(0, waiters));
    }
  }

  /**
   * A promise that completes {@code waiters} and gives back {@code early} unsent bytes; or void.
   */
  private ChannelPromise promise(long early, SendOp waiters) {
    return early == 0 && waiters == null
        ? wire.voidPromise()
        : wire.newPromise().addListener(new Written(this, early, waiters));
  }

  /** Fails what the round corked and did not write: the connection ended under it. Loop only. */
  private void dropCork() {
    if (held != null) {
      held.fail(CLOSED);
      held = null;
    }
    if (cork != null) {
      cork.release();
      cork = null;
      for (SendOp op = corkWaiters; op != null; op = op.nextWaiter) {
        op.fail(CLOSED);
      }
      corkWaiters = corkWaitersTail = null;
    }
  }

  /**
   * Writes the round's last frames and flushes. The last write's promise also gives back the unsent
   * count of the early-completed frames written since the last flush: they were written in order,
   * so it completes after them (an empty marker write carries it when the round ended on something
   * else). Called by the batcher once per round that wrote to this writer; loop only. Nothing is
   * flushed once the connection has ended.
   */
  @Override
  protected void flush() {
    if (handshake.ended()) {
      dropCork();
      return;
    }
    long early = earlyBytesUnflushed;
    earlyBytesUnflushed = 0;
    if (held != null) { // one frame this round: as it is, nothing copied
      SendOp op = held;
      held = null;
      SendOp waiter = null;
      if (op.completion == null) {
        early += op.wireBytes;
      } else {
        waiter = op;
      }
      wire.write(WireFrames.shared(op.frame).retainedDuplicate(), promise(early, waiter));
    } else if (cork != null) {
      ByteBuf corked = cork;
      SendOp waiters = corkWaiters;
      cork = null;
      corkWaiters = corkWaitersTail = null;
      wire.write(corked, promise(early, waiters));
    } else if (early > 0) {
      wire.write(Unpooled.EMPTY_BUFFER, promise(early, null));
    }
    wire.flush();
  }

  @Override
  public String toString() {
    return session.toString();
  }

  // ------------------------------------------------------------------ ops

  /** One frame to send, and the promise listener that completes it. */
  private static final class SendOp extends WriteRounds.Op<SessionWriter>
      implements ChannelFutureListener {
    final Message frame;
    final SendCompletion completion; // null: completed early, at send
    final int wireBytes;
    SendOp nextWaiter; // the next send in the same cork still to be completed; loop only

    SendOp(SessionWriter writer, Message frame, SendCompletion completion, int wireBytes) {
      super(writer);
      this.frame = frame;
      this.completion = completion;
      this.wireBytes = wireBytes;
    }

    @Override
    protected boolean run() {
      return target().write(this);
    }

    @Override
    protected void reject(Throwable cause) {
      fail(cause);
    }

    @Override
    public void operationComplete(ChannelFuture future) {
      UNSENT.addAndGet(target(), -wireBytes);
      if (completion != null) {
        completion.complete(frame, future.isSuccess() ? null : future.cause());
      }
    }

    void fail(Throwable cause) {
      UNSENT.addAndGet(target(), -wireBytes);
      if (completion != null) {
        completion.complete(frame, cause);
      }
    }
  }

  /**
   * A write that has left (or failed): gives back the unsent bytes of the early-completed frames up
   * to it, and completes, in order, the sends in it that were not completed at send.
   */
  private static final class Written implements ChannelFutureListener {
    private final SessionWriter writer;
    private final long early;
    private final SendOp waiters;

    Written(SessionWriter writer, long early, SendOp waiters) {
      this.writer = writer;
      this.early = early;
      this.waiters = waiters;
    }

    @Override
    public void operationComplete(ChannelFuture future) {
      if (early > 0) {
        UNSENT.addAndGet(writer, -early);
      }
      for (SendOp op = waiters; op != null; ) {
        SendOp next = op.nextWaiter;
        op.nextWaiter = null;
        op.operationComplete(future);
        op = next;
      }
    }
  }

  /** A close asked for by the hub, after the frames sent before it. */
  private static final class CloseOp extends WriteRounds.Op<SessionWriter> {
    private final int code;
    private final String reason;

    CloseOp(SessionWriter writer, int code, String reason) {
      super(writer);
      this.code = code;
      this.reason = reason;
    }

    @Override
    protected boolean run() {
      target().writeCork(); // the frames sent before the close go first
      return target().handshake.close(code, reason);
    }
  }

  /** The adapter fails the connection, after the frames sent before. */
  private static final class FailOp extends WriteRounds.Op<SessionWriter> {
    private final int code;
    private final String reason;

    FailOp(SessionWriter writer, int code, String reason) {
      super(writer);
      this.code = code;
      this.reason = reason;
    }

    @Override
    protected boolean run() {
      target().writeCork(); // the frames sent before go first
      target().handshake.fail(code, reason);
      return false;
    }
  }
}
