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
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The outbound side of a {@link WebSocketSession}: its sends, the hub's close and the adapter's
 * fail, queued from any thread on the loop's {@link EventLoopWriteRounds} and run there in order,
 * so a close goes out after the frames sent before it.
 *
 * <p>A send writes a {@code retainedDuplicate()} of the message's shared wire form ({@link
 * WireFrames#shared}): nothing is framed, copied or allocated per recipient but the op itself,
 * which is also the batcher's queue node. It completes at once while the connection's unsent wire
 * bytes are within {@code earlyCompletionBytes} (the channel's high-water mark), as a socket's send
 * buffer would; past that, only when Netty has written it to the socket. Completed frames carry no
 * promise: one empty marker write per flush gives their bytes back when they have left.
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

  /** Writes {@code op}'s frame; returns whether this writer needs a flush. Loop only. */
  private boolean write(SendOp op) {
    if (handshake.closeSent() || handshake.ended() || !ctx.channel().isActive()) {
      op.fail(CLOSED);
      return false;
    }
    ByteBuf frame = WireFrames.shared(op.frame).retainedDuplicate();
    if (op.completion == null) {
      // Completed already: no promise per frame; flush() accounts for the batch with one marker.
      wire.write(frame, wire.voidPromise());
      earlyBytesUnflushed += op.wireBytes;
    } else {
      wire.write(frame, wire.newPromise().addListener(op));
    }
    return true;
  }

  /**
   * Flushes, after an empty marker write whose promise gives back the unsent count of the
   * early-completed frames written since the last flush (they are written in order, so the marker
   * completes after them). Called by the batcher once per round that wrote to this writer; loop
   * only. Nothing is flushed once the connection has ended.
   */
  @Override
  protected void flush() {
    if (handshake.ended()) {
      return;
    }
    long early = earlyBytesUnflushed;
    if (early > 0) {
      earlyBytesUnflushed = 0;
      wire.write(Unpooled.EMPTY_BUFFER, wire.newPromise())
          .addListener(f -> UNSENT.addAndGet(this, -early));
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
      target().handshake.fail(code, reason);
      return false;
    }
  }
}
