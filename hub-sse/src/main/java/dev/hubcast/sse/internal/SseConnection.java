package dev.hubcast.sse.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import dev.hubcast.core.spi.TransportSettings;
import dev.hubcast.core.spi.WriteRounds;
import dev.hubcast.netty.EventLoopWriteRounds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event stream as a hub connection: the response of a {@code GET} that stays open, written by
 * the channel's event loop, with the messages of the stream's {@code POST}s reported on that loop
 * too.
 *
 * <p>Sends are queued on the loop's {@link EventLoopWriteRounds} and written in order, each a
 * {@code retainedDuplicate()} of the message's shared event ({@link EventFrames}). As on the
 * WebSocket adapter, a send completes at once while the stream's unsent bytes are within the
 * channel's high-water mark, and otherwise only when Netty has written it; so a client that stops
 * reading leaves its sends uncompleted and its backlog in the hub's outbox. The hub's close is a
 * last {@code hubcast-close} event after the frames sent before it, then the end of the response; a
 * stream that cannot take it within the close timeout is dropped. A heartbeat comment goes out
 * every ping interval in which nothing else was written. The end is reported to the hub once, when
 * the channel closes: with the close's code and reason, or 1006 for a stream that was lost.
 *
 * <p>Thread-safe: {@link #send}, {@link #close} and {@link #isOpen} from any thread; the rest on
 * the channel's event loop.
 */
final class SseConnection extends WriteRounds.Target implements Connection {

  private static final Logger log = LoggerFactory.getLogger(SseConnection.class);

  /** Why a send failed: the stream had ended, or was closing. */
  static final IOException CLOSED = new StreamClosedException();

  private static final AtomicLongFieldUpdater<SseConnection> UNSENT =
      AtomicLongFieldUpdater.newUpdater(SseConnection.class, "unsent");

  private final String id;
  private final Handshake handshake;
  private final String token;
  private final Channel channel;
  private final EventLoopWriteRounds rounds;
  private final TransportSettings settings;
  private final StreamRegistry registry;
  private final long earlyCompletionBytes;

  /** Event bytes sent and not yet written to the socket. */
  private volatile long unsent;

  private volatile boolean open = true;

  // ---- event loop only
  private Inbound inbound;
  private boolean closeWritten;
  private boolean ended;
  private int closeCode = CloseCodes.ABNORMAL;
  private String closeReason = "stream lost";
  private long earlyBytesUnflushed;
  private boolean wroteSinceBeat;
  private ScheduledFuture<?> heartbeat;

  SseConnection(
      String id,
      Handshake handshake,
      String token,
      Channel channel,
      TransportSettings settings,
      StreamRegistry registry) {
    this.id = id;
    this.handshake = handshake;
    this.token = token;
    this.channel = channel;
    this.rounds = EventLoopWriteRounds.of(channel.eventLoop());
    this.settings = settings;
    this.registry = registry;
    this.earlyCompletionBytes = channel.config().getWriteBufferHighWaterMark();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Handshake handshake() {
    return handshake;
  }

  String token() {
    return token;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void send(Message frame, SendCompletion completion) {
    int wire = EventFrames.shared(frame).readableBytes();
    boolean early = UNSENT.addAndGet(this, wire) <= earlyCompletionBytes;
    rounds.submit(new SendOp(this, frame, early ? null : completion, wire));
    if (early) {
      // Within the stream's write buffer: complete now, as a socket's send buffer would.
      completion.complete(frame, null);
    }
  }

  @Override
  public void close(int code, String reason) {
    open = false;
    rounds.submit(new CloseOp(this, code, reason == null ? "" : reason));
  }

  /**
   * Starts reporting to the hub, once it has opened the connection: the hub's sends and close may
   * already be queued behind this call. Loop only.
   */
  void start(Inbound inbound) {
    this.inbound = inbound;
    if (ended) { // the channel closed while the hub was opening the connection
      inbound.onClose(closeCode, closeReason);
      return;
    }
    long beat = settings.pingInterval().toNanos();
    heartbeat =
        channel.eventLoop().scheduleAtFixedRate(this::beat, beat, beat, TimeUnit.NANOSECONDS);
    if (!channel.isActive()) {
      ended();
    }
  }

  /** A message a {@code POST} brought for this stream. Loop only. */
  void receive(Message message) {
    if (inbound != null && !ended && !closeWritten) {
      inbound.onMessage(message);
    }
  }

  /**
   * The adapter refuses what the client sent: the stream closes with {@code code} after what was
   * sent before. Any thread.
   */
  void refuse(int code, String reason) {
    close(code, reason);
  }

  /**
   * The channel has closed: reports the end to the hub, once (or {@link #start} does, if the hub
   * has not opened the connection yet). Loop only.
   */
  void ended() {
    if (ended) {
      return;
    }
    ended = true;
    open = false;
    registry.remove(this);
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    if (inbound != null) {
      inbound.onClose(closeCode, closeReason);
    }
  }

  private void beat() {
    if (ended || closeWritten) {
      return;
    }
    if (!wroteSinceBeat) {
      channel.writeAndFlush(EventFrames.heartbeat(), channel.voidPromise());
    }
    wroteSinceBeat = false;
  }

  /** Writes {@code op}'s event; returns whether a flush is needed. Loop only. */
  private boolean write(SendOp op) {
    if (closeWritten || ended || !channel.isActive()) {
      op.fail(CLOSED);
      return false;
    }
    ByteBuf event = EventFrames.shared(op.frame).retainedDuplicate();
    wroteSinceBeat = true;
    if (op.completion == null) {
      channel.write(event, channel.voidPromise());
      earlyBytesUnflushed += op.wireBytes;
    } else {
      channel.write(event, channel.newPromise().addListener(op));
    }
    return true;
  }

  /** Writes the close event and ends the response. Loop only. */
  private boolean writeClose(int code, String reason) {
    if (closeWritten || ended) {
      return false;
    }
    closeWritten = true;
    open = false;
    closeCode = code;
    closeReason = reason;
    if (!channel.isActive()) {
      return false;
    }
    channel.write(EventFrames.close(code, reason), channel.voidPromise());
    channel.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    // A client that stopped reading never takes the end: drop it after the close timeout.
    channel
        .eventLoop()
        .schedule(
            () -> {
              if (channel.isActive()) {
                log.debug("{}: stream did not take its close in time", this);
                channel.close();
              }
            },
            settings.closeTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
    return true;
  }

  @Override
  protected void flush() {
    if (ended) {
      return;
    }
    long early = earlyBytesUnflushed;
    if (early > 0) {
      earlyBytesUnflushed = 0;
      channel
          .write(Unpooled.EMPTY_BUFFER, channel.newPromise())
          .addListener(f -> UNSENT.addAndGet(this, -early));
    }
    channel.flush();
  }

  @Override
  public String toString() {
    return "SseConnection[" + id + ", " + channel.remoteAddress() + "]";
  }

  // ------------------------------------------------------------------ ops

  private static final class SendOp extends WriteRounds.Op<SseConnection>
      implements ChannelFutureListener {
    final Message frame;
    final SendCompletion completion; // null: completed early, at send
    final int wireBytes;

    SendOp(SseConnection target, Message frame, SendCompletion completion, int wireBytes) {
      super(target);
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

  private static final class CloseOp extends WriteRounds.Op<SseConnection> {
    private final int code;
    private final String reason;

    CloseOp(SseConnection target, int code, String reason) {
      super(target);
      this.code = code;
      this.reason = reason;
    }

    @Override
    protected boolean run() {
      return target().writeClose(code, reason);
    }

    @Override
    protected void reject(Throwable cause) {
      target().channel.close();
    }
  }

  /** A send to a stream that has ended. No stack trace: it is an outcome, not a fault. */
  private static final class StreamClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    StreamClosedException() {
      super("event stream closed", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
