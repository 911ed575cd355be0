package dev.hubcast.netty.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import dev.hubcast.core.spi.TransportSettings;
import dev.hubcast.netty.EventLoopWriteRounds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded WebSocket connection: the hub's {@link Connection}, and the last handler of the
 * channel's pipeline, which reads its messages.
 *
 * <p>Thread-safe where the SPI says so: {@link #send}, {@link #close} and {@link #isOpen} from any
 * thread; they queue work on the channel's {@link EventLoopWriteRounds} through the {@link
 * SessionWriter}. Everything else runs on the channel's event loop.
 *
 * <p>Inbound, the pipeline in front of it has done the protocol: {@code HubFrameDecoder} (frames,
 * masks, 1002 for protocol errors, 1009 for a frame over {@code maxMessageBytes}), {@code
 * Utf8FrameValidator} (1007, across fragments) and {@code WebSocketFrameAggregator} (one message
 * from its fragments; 1009 when they add up to more than {@code maxMessageBytes}, checked before
 * each is appended). So a data frame here is a whole message, handed to the hub; a ping is answered
 * with a pong; a close goes to the {@link CloseHandshake}; an error fails the connection with its
 * close code and is reported to the hub once.
 */
final class WebSocketSession extends ChannelInboundHandlerAdapter implements Connection {

  private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);

  private static final AtomicIntegerFieldUpdater<WebSocketSession> CLOSE_CALLED =
      AtomicIntegerFieldUpdater.newUpdater(WebSocketSession.class, "closeCalled");

  private final String id;
  private final Handshake handshake;
  private final Channel channel;
  private final TransportSettings settings;
  private final CloseHandshake closeHandshake;
  final SessionWriter writer;

  /** No more sends are taken: close was asked for, or the connection is ending. */
  private volatile boolean closing;

  private volatile int closeCalled;

  // ---- event loop only
  private Inbound inbound;
  private boolean failing; // a fail is on its way: inbound is ignored

  /**
   * A session for an admitted connection.
   *
   * @param earlyCompletionBytes see {@link SessionWriter}: the channel's high-water mark
   */
  WebSocketSession(
      String id,
      Handshake handshake,
      Channel channel,
      TransportSettings settings,
      EventLoopWriteRounds batcher,
      long earlyCompletionBytes) {
    this.id = id;
    this.handshake = handshake;
    this.channel = channel;
    this.settings = settings;
    this.closeHandshake = new CloseHandshake(id, settings.closeTimeout());
    this.writer = new SessionWriter(this, closeHandshake, batcher, earlyCompletionBytes);
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
      completion.complete(frame, SessionWriter.CLOSED);
      return;
    }
    writer.send(frame, completion);
  }

  @Override
  public void close(int code, String reason) {
    if (CLOSE_CALLED.compareAndSet(this, 0, 1)) {
      closing = true;
      writer.close(code, reason);
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

  // ------------------------------------------------------------------ loop

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    writer.attach(ctx);
    closeHandshake.attach(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame)) {
      ReferenceCountUtil.release(msg); // an HTTP leftover of the upgrade request
      return;
    }
    WebSocketFrame frame = (WebSocketFrame) msg;
    try {
      if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
        onMessage(frame); // whole: the aggregator joined its fragments
      } else if (frame instanceof PingWebSocketFrame) {
        if (!closeHandshake.closeSent() && !failing) {
          ctx.writeAndFlush(
              new PongWebSocketFrame(frame.content().retainedDuplicate()), ctx.voidPromise());
        }
      } else if (frame instanceof CloseWebSocketFrame) {
        onCloseFrame(frame.content());
      }
      // pongs only count as traffic for the idle timeout
    } finally {
      frame.release();
    }
  }

  private void onMessage(WebSocketFrame frame) {
    if (failing || closeHandshake.isClosing()) {
      return; // the connection is closing: data is no longer read
    }
    ByteBuf content = frame.content();
    // One buffer (a single-frame message) is read in place; the fragments of a joined message are
    // gathered once. Message copies what it is given either way.
    ByteBuffer bytes =
        content.nioBufferCount() == 1
            ? content.nioBuffer()
            : ByteBuffer.wrap(ByteBufUtil.getBytes(content));
    Message message =
        frame instanceof TextWebSocketFrame ? Message.textUtf8(bytes) : Message.binary(bytes);
    try {
      inbound.onMessage(message);
    } catch (RuntimeException e) {
      // Inbound never throws by contract; if it does, contain it to this connection.
      log.warn("connection {}: inbound message handling failed", id, e);
      fail(CloseCodes.INTERNAL_ERROR, "internal error");
    }
  }

  private void onCloseFrame(ByteBuf body) {
    if (failing) {
      return;
    }
    closing = true;
    ProtocolViolationException violation = closeHandshake.onCloseFrame(body);
    if (violation != null) {
      fail(violation.closeCode(), violation.reason());
      reportError(violation);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      IdleStateEvent idle = (IdleStateEvent) evt;
      if (idle.isFirst()) {
        if (!closeHandshake.closeSent() && !closeHandshake.ended()) {
          ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
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
    if (cause instanceof IOException) {
      // A lost or reset socket: reported as the close (1006), not as an error.
      log.debug("connection {}: {}", id, cause.toString());
      ctx.close();
      return;
    }
    if (failing || closeHandshake.ended()) {
      // Already failing: what is left in the read buffer may fail again; report the first only.
      log.debug("connection {}: after the fail: {}", id, cause.toString());
      return;
    }
    if (cause instanceof TooLongFrameException) {
      // from the aggregator: the fragments so far and the next one are over maxMessageBytes
      ProtocolViolationException tooBig = tooBig();
      fail(tooBig.closeCode(), tooBig.reason());
      reportError(tooBig);
    } else if (cause instanceof CorruptedWebSocketFrameException) {
      CorruptedWebSocketFrameException e = (CorruptedWebSocketFrameException) cause;
      int code = e.closeStatus() == null ? CloseCodes.PROTOCOL_ERROR : e.closeStatus().code();
      fail(code, reasonOf(e, code));
      reportError(e);
    } else {
      log.warn("connection {}: unexpected failure", id, cause);
      fail(CloseCodes.INTERNAL_ERROR, "internal error");
      reportError(cause);
    }
  }

  private ProtocolViolationException tooBig() {
    return new ProtocolViolationException(
        CloseCodes.MESSAGE_TOO_BIG, CloseCodes.tooBigReason(settings.maxMessageBytes()));
  }

  /**
   * The close reason for a frame the decoder or the UTF-8 validator refused. Netty's own message
   * names the broken rule (such as "unmasked client to server frame") and carries no client data,
   * so a protocol error sends it; a too-big frame and bad UTF-8 get the same words as the
   * aggregator's 1009 and a plain one.
   */
  private String reasonOf(CorruptedWebSocketFrameException e, int code) {
    switch (code) {
      case CloseCodes.MESSAGE_TOO_BIG:
        return tooBig().reason();
      case CloseCodes.INVALID_PAYLOAD:
        return "invalid UTF-8 in text message";
      default:
        String message = e.getMessage();
        return message == null || message.isBlank() ? "protocol error" : message;
    }
  }

  /**
   * Fails the connection: what was sent before still goes out (the fail runs in order with the
   * sends, on the batcher), then a close frame with {@code code}, then the socket is closed at
   * once, without waiting for the peer's answer. Inbound data is ignored from now on.
   */
  private void fail(int code, String reason) {
    if (failing || closeHandshake.ended()) {
      return;
    }
    failing = true;
    closing = true;
    writer.fail(code, reason);
  }

  private void reportError(Throwable cause) {
    try {
      inbound.onError(cause);
    } catch (RuntimeException e) {
      log.warn("connection {}: inbound error handling failed", id, e);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end();
    ctx.fireChannelInactive();
  }

  private void end() {
    if (closeHandshake.ended()) {
      return;
    }
    closeHandshake.end();
    closing = true;
    if (inbound != null) {
      try {
        inbound.onClose(closeHandshake.endCode(), closeHandshake.endReason());
      } catch (RuntimeException e) {
        log.warn("connection {}: inbound close handling failed", id, e);
      }
    }
  }
}
