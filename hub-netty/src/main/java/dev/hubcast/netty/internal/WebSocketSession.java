package dev.hubcast.netty.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import dev.hubcast.core.spi.TransportSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded WebSocket connection: the hub's {@link Connection} and the pipeline handler that
 * reads its frames.
 *
 * <p>Thread-safe where the SPI says so: {@link #send}, {@link #close} and {@link #isOpen} from any
 * thread; they queue work on the channel's {@link WriteBatcher}. Everything else runs on the
 * channel's event loop.
 *
 * <p>Outbound: a send writes a duplicate of the frame's shared wire form and completes when Netty
 * has written it to the socket (or failed). While the channel is not writable (past its {@code
 * WriteBufferWaterMark}) frames wait here, uncompleted, so the hub's outbox sees them as in flight
 * and its slow-consumer policy acts on what is behind them.
 *
 * <p>Inbound: data frames are joined into one message (at most {@code maxMessageBytes}, else 1009);
 * pings are answered; a close is answered with the same code and the socket closed; a protocol
 * error (1002), bad UTF-8 (1007) or an oversize frame (1009) fails the connection at once.
 */
final class WebSocketSession extends ChannelInboundHandlerAdapter implements Connection {

  private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);

  private static final ConnectionClosedException CLOSED =
      new ConnectionClosedException("connection closed");

  private static final AtomicIntegerFieldUpdater<WebSocketSession> CLOSE_CALLED =
      AtomicIntegerFieldUpdater.newUpdater(WebSocketSession.class, "closeCalled");
  private static final AtomicLongFieldUpdater<WebSocketSession> UNSENT =
      AtomicLongFieldUpdater.newUpdater(WebSocketSession.class, "unsent");

  private final String id;
  private final Handshake handshake;
  private final Channel channel;
  private final TransportSettings settings;
  private final WriteBatcher batcher;
  private final long earlyCompletionBytes;

  /** No more sends are taken: close was asked for, or the connection is ending. */
  private volatile boolean closing;

  private volatile int closeCalled;

  /** Wire bytes sent and not yet written to the socket. */
  private volatile long unsent;

  // ---- event loop only
  private ChannelHandlerContext ctx;
  private Inbound inbound;
  boolean dirty; // written since the batcher's last flush; see WriteBatcher#markDirty
  private ArrayDeque<WriteBatcher.Op> parked; // waiting for writability, in order
  private boolean closeSent;
  private int sentCode = -1;
  private String sentReason = "";
  private boolean closeReceived;
  private boolean failing; // a fail is on its way: inbound is ignored
  private int peerCode = -1;
  private String peerReason = "";
  private boolean ended; // channel inactive, onClose reported
  private io.netty.util.concurrent.Future<?> closeTimer;
  private long earlyBytesUnflushed; // wire bytes of completed frames written since the last flush
  private ByteBuf message; // a fragmented message being joined
  private boolean messageText;

  /**
   * A session for an admitted connection.
   *
   * @param earlyCompletionBytes how many wire bytes may wait, completed, for the socket (the
   *     channel's high water mark): like a socket's send buffer, it lets a healthy connection's
   *     sends complete at once, while a stalled one's complete only as they are written
   */
  WebSocketSession(
      String id,
      Handshake handshake,
      Channel channel,
      TransportSettings settings,
      WriteBatcher batcher,
      long earlyCompletionBytes) {
    this.id = id;
    this.handshake = handshake;
    this.channel = channel;
    this.settings = settings;
    this.batcher = batcher;
    this.earlyCompletionBytes = earlyCompletionBytes;
  }

  /** Starts reporting to {@code inbound}; loop only, once, right after the hub opened us. */
  void start(Inbound inbound) {
    this.inbound = inbound;
  }

  // ------------------------------------------------------------------ Connection (any thread)

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
    requireNonNull(frame, "frame");
    requireNonNull(completion, "completion");
    if (closing) {
      completion.complete(frame, CLOSED);
      return;
    }
    int wire = WireFrames.headerLength(frame.length()) + frame.length();
    boolean early = UNSENT.addAndGet(this, wire) <= earlyCompletionBytes;
    batcher.submit(new SendOp(this, frame, early ? null : completion, wire));
    if (early) {
      // Within the connection's write buffer: complete now, as a socket's send buffer would.
      completion.complete(frame, null);
    }
  }

  @Override
  public void close(int code, String reason) {
    if (CLOSE_CALLED.compareAndSet(this, 0, 1)) {
      closing = true;
      batcher.submit(new CloseOp(this, code, reason));
    }
  }

  @Override
  public boolean isOpen() {
    return !closing && channel.isActive();
  }

  @Override
  public String toString() {
    return "NettyConnection[" + id + "]";
  }

  // ------------------------------------------------------------------ outbound (loop)

  private void writeOnLoop(SendOp op) {
    if (closeSent || ended || !channel.isActive()) {
      op.fail(CLOSED);
    } else if ((parked != null && !parked.isEmpty()) || !channel.isWritable()) {
      park(op);
    } else {
      write(op);
      batcher.markDirty(this);
    }
  }

  private void write(SendOp op) {
    ByteBuf wire = WireFrames.shared(op.frame).retainedDuplicate();
    if (op.completion == null) {
      // Completed already: no promise per frame; flush() accounts for the batch with one marker.
      ctx.write(wire, ctx.voidPromise());
      earlyBytesUnflushed += op.wireBytes;
    } else {
      ctx.write(wire, ctx.newPromise().addListener(op));
    }
  }

  private void park(WriteBatcher.Op op) {
    if (parked == null) {
      parked = new ArrayDeque<>();
    }
    parked.addLast(op);
  }

  private void closeOnLoop(CloseOp op) {
    if (closeSent || ended) {
      return;
    }
    startCloseTimer();
    if (parked != null && !parked.isEmpty()) {
      park(op); // after the frames already sent
      return;
    }
    sendClose(sendableOr(op.code), op.reason);
    batcher.markDirty(this);
  }

  private void sendClose(int code, String reason) {
    closeSent = true;
    closing = true;
    sentCode = code;
    sentReason = reason == null ? "" : reason;
    ctx.write(WireFrames.close(ctx.alloc(), code, sentReason), ctx.voidPromise());
  }

  private static int sendableOr(int code) {
    return CloseCodes.isSendable(code) ? code : CloseCodes.INTERNAL_ERROR;
  }

  void flushNow() {
    if (!ended) {
      flush();
    }
  }

  /**
   * Flushes, after an empty marker write whose promise gives back the unsent count of the
   * early-completed frames written since the last flush (they are written in order, so the marker
   * completes after them).
   */
  private void flush() {
    long early = earlyBytesUnflushed;
    if (early > 0) {
      earlyBytesUnflushed = 0;
      ctx.write(Unpooled.EMPTY_BUFFER, ctx.newPromise())
          .addListener(f -> UNSENT.addAndGet(this, -early));
    }
    ctx.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && parked != null && !parked.isEmpty()) {
      boolean wrote = false;
      while (!parked.isEmpty() && ctx.channel().isWritable() && !closeSent) {
        WriteBatcher.Op op = parked.pollFirst();
        if (op instanceof SendOp) {
          write((SendOp) op);
        } else {
          CloseOp close = (CloseOp) op;
          sendClose(sendableOr(close.code), close.reason);
        }
        wrote = true;
      }
      if (closeSent) {
        failParked();
      }
      if (wrote) {
        flush();
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void failParked() {
    if (parked == null) {
      return;
    }
    WriteBatcher.Op op;
    while ((op = parked.pollFirst()) != null) {
      if (op instanceof SendOp) {
        ((SendOp) op).fail(CLOSED);
      }
    }
  }

  private void startCloseTimer() {
    if (closeTimer == null) {
      closeTimer =
          ctx.executor()
              .schedule(
                  () -> {
                    if (!ended) {
                      log.debug("connection {}: no close answer in time; dropping it", id);
                      ctx.close();
                    }
                  },
                  settings.closeTimeout().toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Fails the connection: what was sent before still goes out (the fail runs in order with the
   * sends, on the batcher), then a close frame with {@code code}, then the socket is closed at
   * once, without waiting for the peer's answer. Inbound data is ignored from now on.
   */
  private void fail(int code, String reason) {
    if (failing || ended) {
      return;
    }
    failing = true;
    closing = true;
    releaseMessage();
    batcher.submit(new FailOp(this, code, reason));
  }

  private void failOnLoop(FailOp op) {
    if (ended) {
      return;
    }
    failParked();
    if (closeSent) {
      ctx.close();
      return;
    }
    closeSent = true;
    sentCode = op.code;
    sentReason = op.reason;
    ctx.writeAndFlush(WireFrames.close(ctx.alloc(), op.code, op.reason))
        .addListener(ChannelFutureListener.CLOSE);
  }

  // ------------------------------------------------------------------ inbound (loop)

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame)) {
      ReferenceCountUtil.release(msg); // an HTTP leftover of the upgrade request
      return;
    }
    WebSocketFrame frame = (WebSocketFrame) msg;
    try {
      if (frame instanceof TextWebSocketFrame
          || frame instanceof BinaryWebSocketFrame
          || frame instanceof ContinuationWebSocketFrame) {
        onData(frame);
      } else if (frame instanceof PingWebSocketFrame) {
        if (!closeSent && !failing) {
          ctx.writeAndFlush(
              WireFrames.control(ctx.alloc(), WireFrames.OPCODE_PONG, frame.content()),
              ctx.voidPromise());
        }
      } else if (frame instanceof CloseWebSocketFrame) {
        onCloseFrame(frame.content());
      }
      // pongs only count as traffic for the idle timeout
    } finally {
      frame.release();
    }
  }

  private void onData(WebSocketFrame frame) {
    if (closeSent || closeReceived || failing || ended) {
      return; // the connection is closing: data is no longer read
    }
    ByteBuf content = frame.content();
    if (frame instanceof ContinuationWebSocketFrame) {
      if (message == null) {
        return; // cannot happen: the decoder refuses a continuation outside a message
      }
      if (message.readableBytes() + content.readableBytes() > settings.maxMessageBytes()) {
        tooBig();
        return;
      }
      message.writeBytes(content);
      if (frame.isFinalFragment()) {
        Message whole = toFrame(messageText, message);
        releaseMessage();
        deliver(whole);
      }
    } else {
      boolean text = frame instanceof TextWebSocketFrame;
      if (frame.isFinalFragment()) {
        deliver(toFrame(text, content));
      } else {
        int max = settings.maxMessageBytes();
        message =
            ctx.alloc().buffer(Math.min(max, Math.max(256, content.readableBytes() * 2)), max);
        message.writeBytes(content);
        messageText = text;
      }
    }
  }

  private void tooBig() {
    String reason = "message over " + settings.maxMessageBytes() + " bytes";
    fail(CloseCodes.MESSAGE_TOO_BIG, reason);
    reportError(new ProtocolViolationException(CloseCodes.MESSAGE_TOO_BIG, reason));
  }

  private static Message toFrame(boolean text, ByteBuf content) {
    ByteBuffer bytes =
        content.nioBufferCount() == 1
            ? content.nioBuffer()
            : ByteBuffer.wrap(ByteBufUtil.getBytes(content));
    return text ? Message.textUtf8(bytes) : Message.binary(bytes);
  }

  private void deliver(Message frame) {
    try {
      inbound.onMessage(frame);
    } catch (RuntimeException e) {
      // Inbound never throws by contract; if it does, contain it to this connection.
      log.warn("connection {}: inbound message handling failed", id, e);
      fail(CloseCodes.INTERNAL_ERROR, "internal error");
    }
  }

  private void onCloseFrame(ByteBuf body) {
    if (closeReceived || failing || ended) {
      return;
    }
    closeReceived = true;
    closing = true;
    releaseMessage();
    int code;
    String reason;
    if (!body.isReadable()) {
      code = CloseCodes.NO_STATUS;
      reason = "";
    } else {
      // (a body of one byte is refused by the decoder as a protocol error)
      code = body.getUnsignedShort(body.readerIndex());
      if (!isValidPeerCode(code)) {
        protocolError(CloseCodes.PROTOCOL_ERROR, "invalid close code " + code);
        return;
      }
      try {
        reason =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(body.nioBuffer(body.readerIndex() + 2, body.readableBytes() - 2))
                .toString();
      } catch (CharacterCodingException e) {
        protocolError(CloseCodes.INVALID_PAYLOAD, "close reason is not valid UTF-8");
        return;
      }
    }
    peerCode = code;
    peerReason = reason;
    failParked();
    if (closeSent) {
      ctx.close(); // the close handshake is complete
      return;
    }
    closeSent = true;
    sentCode = code;
    sentReason = reason;
    ByteBuf answer =
        code == CloseCodes.NO_STATUS
            ? WireFrames.emptyClose(ctx.alloc())
            : WireFrames.close(ctx.alloc(), code, reason);
    ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Close codes a peer may send (RFC 6455 7.4 and the IANA registry): 1000-1003, 1007-1014 and
   * 3000-4999. 1004-1006 and 1015 are reserved and never sent.
   */
  static boolean isValidPeerCode(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  private void protocolError(int code, String reason) {
    fail(code, reason);
    reportError(new ProtocolViolationException(code, reason));
  }

  private void reportError(Throwable cause) {
    try {
      inbound.onError(cause);
    } catch (RuntimeException e) {
      log.warn("connection {}: inbound error handling failed", id, e);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      IdleStateEvent idle = (IdleStateEvent) evt;
      if (idle.isFirst()) {
        if (!closeSent && !ended) {
          ctx.writeAndFlush(WireFrames.ping(ctx.alloc()), ctx.voidPromise());
        }
      } else {
        log.debug("connection {}: idle for {}; closing", id, settings.idleTimeout());
        close(CloseCodes.GOING_AWAY, "idle timeout");
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException) {
      CorruptedWebSocketFrameException e = (CorruptedWebSocketFrameException) cause;
      int code = e.closeStatus() == null ? CloseCodes.PROTOCOL_ERROR : e.closeStatus().code();
      fail(code, reasonOf(e, code));
      reportError(e);
    } else if (cause instanceof IOException) {
      // A lost or reset socket: reported as the close (1006), not as an error.
      log.debug("connection {}: {}", id, cause.toString());
      ctx.close();
    } else {
      log.warn("connection {}: unexpected failure", id, cause);
      fail(CloseCodes.INTERNAL_ERROR, "internal error");
      reportError(cause);
    }
  }

  private static String reasonOf(CorruptedWebSocketFrameException e, int code) {
    switch (code) {
      case CloseCodes.MESSAGE_TOO_BIG:
        return "message too big";
      case CloseCodes.INVALID_PAYLOAD:
        return "invalid UTF-8 in text message";
      default:
        return "protocol error";
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseMessage();
  }

  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    closing = true;
    releaseMessage();
    failParked();
    if (closeTimer != null) {
      closeTimer.cancel(false);
    }
    int code;
    String reason;
    if (peerCode >= 0) {
      code = peerCode;
      reason = peerReason;
    } else if (sentCode >= 0) {
      code = sentCode;
      reason = sentReason;
    } else {
      code = CloseCodes.ABNORMAL;
      reason = "connection lost";
    }
    if (inbound != null) {
      try {
        inbound.onClose(code, reason);
      } catch (RuntimeException e) {
        log.warn("connection {}: inbound close handling failed", id, e);
      }
    }
  }

  private void releaseMessage() {
    if (message != null) {
      message.release();
      message = null;
    }
  }

  // ------------------------------------------------------------------ ops

  /** One frame to send, and the promise listener that completes it. */
  private static final class SendOp extends WriteBatcher.Op implements ChannelFutureListener {
    final Message frame;
    final SendCompletion completion; // null: completed early, at send
    final int wireBytes;

    SendOp(WebSocketSession session, Message frame, SendCompletion completion, int wireBytes) {
      super(session);
      this.frame = frame;
      this.completion = completion;
      this.wireBytes = wireBytes;
    }

    @Override
    void run() {
      session.writeOnLoop(this);
    }

    @Override
    void reject(Throwable cause) {
      fail(cause);
    }

    @Override
    public void operationComplete(ChannelFuture future) {
      UNSENT.addAndGet(session, -wireBytes);
      if (completion != null) {
        completion.complete(frame, future.isSuccess() ? null : future.cause());
      }
    }

    void fail(Throwable cause) {
      UNSENT.addAndGet(session, -wireBytes);
      if (completion != null) {
        completion.complete(frame, cause);
      }
    }
  }

  /** The adapter fails the connection, after the frames sent before. */
  private static final class FailOp extends WriteBatcher.Op {
    private final int code;
    private final String reason;

    FailOp(WebSocketSession session, int code, String reason) {
      super(session);
      this.code = code;
      this.reason = reason;
    }

    @Override
    void run() {
      session.failOnLoop(this);
    }
  }

  /** A close asked for by the hub, after the frames sent before it. */
  private static final class CloseOp extends WriteBatcher.Op {
    private final int code;
    private final String reason;

    CloseOp(WebSocketSession session, int code, String reason) {
      super(session);
      this.code = code;
      this.reason = reason;
    }

    @Override
    void run() {
      session.closeOnLoop(this);
    }
  }
}
