package dev.hubcast.netty.internal;

import dev.hubcast.core.CloseCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.Future;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's closing handshake (RFC 6455, section 7): the close frame we send, the one the
 * peer sends, the timer that drops a peer who does not answer, and the code and reason the end of
 * the connection is reported with.
 *
 * <p>Netty's {@code WebSocketServerProtocolHandler} does the handshake too, but reports neither the
 * code we sent nor the peer's, and the hub needs the exact end code, once. Close frames go out as
 * {@link CloseWebSocketFrame}s through the pipeline's {@code WebSocket13FrameEncoder}; the codes
 * are checked with {@link CloseCodes} and reasons cut to {@link CloseCodes#MAX_REASON_BYTES}.
 *
 * <p>Confined to the channel's event loop.
 */
final class CloseHandshake {

  private static final Logger log = LoggerFactory.getLogger(CloseHandshake.class);

  private final String id;
  private final Duration closeTimeout;
  private ChannelHandlerContext ctx;

  private boolean closeSent;
  private int sentCode = -1;
  private String sentReason = "";
  private boolean closeReceived;
  private int peerCode = -1;
  private String peerReason = "";
  private boolean ended;
  private Future<?> timer;

  CloseHandshake(String id, Duration closeTimeout) {
    this.id = id;
    this.closeTimeout = closeTimeout;
  }

  void attach(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Whether we sent a close frame: nothing may be written after it. */
  boolean closeSent() {
    return closeSent;
  }

  /** Whether the handshake has begun either way, or the connection is gone: data is not read. */
  boolean isClosing() {
    return closeSent || closeReceived || ended;
  }

  /** Whether the connection is gone (the channel went inactive). */
  boolean ended() {
    return ended;
  }

  /**
   * Writes a close frame with {@code code} (1011 if it may not be sent) after everything written
   * before, and arms the timer; the caller flushes. Does nothing once a close was sent.
   *
   * @return whether a frame was written
   */
  boolean close(int code, String reason) {
    if (closeSent || ended) {
      return false;
    }
    ctx.write(sending(code, reason), ctx.voidPromise());
    return true;
  }

  /**
   * Fails the connection (RFC 6455, 7.1.7): a close frame with {@code code}, then the socket is
   * closed once it is written, without waiting for the answer. If a close was sent already, the
   * socket is closed at once.
   */
  void fail(int code, String reason) {
    if (ended) {
      return;
    }
    if (closeSent) {
      ctx.close();
      return;
    }
    ctx.writeAndFlush(sending(code, reason)).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * The peer's close frame, with {@code body} its payload (empty, or a code and a UTF-8 reason; the
   * decoder refuses a body of one byte). A valid close is answered with the same code (or an empty
   * close to an empty one) and the socket closed once the answer is written; if we had sent a close
   * already, the handshake is complete and the socket is closed at once.
   *
   * @return {@code null}, or the violation to fail the connection with: an invalid code (1002) or a
   *     reason that is not UTF-8 (1007)
   */
  ProtocolViolationException onCloseFrame(ByteBuf body) {
    if (closeReceived || ended) {
      return null;
    }
    closeReceived = true;
    int code = CloseCodes.NO_STATUS;
    String reason = "";
    if (body.isReadable()) {
      code = body.getUnsignedShort(body.readerIndex());
      if (!CloseCodes.isValidFromPeer(code)) {
        return new ProtocolViolationException(
            CloseCodes.PROTOCOL_ERROR, "invalid close code " + code);
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
        return new ProtocolViolationException(
            CloseCodes.INVALID_PAYLOAD, "close reason is not valid UTF-8");
      }
    }
    peerCode = code;
    peerReason = reason;
    if (closeSent) {
      ctx.close(); // the handshake is complete
      return null;
    }
    CloseWebSocketFrame answer =
        code == CloseCodes.NO_STATUS ? sendingEmpty() : sending(code, reason);
    ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    return null;
  }

  /** The connection is gone; stops the timer. The end code is then {@link #endCode()}. */
  void end() {
    ended = true;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /** The code the end is reported with: the peer's, else ours, else 1006 (no close frame). */
  int endCode() {
    return peerCode >= 0 ? peerCode : sentCode >= 0 ? sentCode : CloseCodes.ABNORMAL;
  }

  /** The reason that goes with {@link #endCode()}. */
  String endReason() {
    return peerCode >= 0 ? peerReason : sentCode >= 0 ? sentReason : "connection lost";
  }

  /** Our close frame, {@code code} (1011 if it may not be sent) and the reason cut to fit. */
  private CloseWebSocketFrame sending(int code, String reason) {
    int sendable = CloseCodes.sendableOr(code, CloseCodes.INTERNAL_ERROR);
    String cut = CloseCodes.truncateReason(reason);
    markSent(sendable, cut);
    return new CloseWebSocketFrame(true, 0, ctx.alloc(), sendable, cut);
  }

  /** The answer to a close that carried no code: a close frame with no body. */
  private CloseWebSocketFrame sendingEmpty() {
    markSent(CloseCodes.NO_STATUS, "");
    return new CloseWebSocketFrame(true, 0, Unpooled.EMPTY_BUFFER);
  }

  /**
   * Records a close as sent. Every close we send arms the timer: a peer that does not read it, or
   * does not answer it, is dropped after the close timeout.
   */
  private void markSent(int code, String reason) {
    closeSent = true;
    sentCode = code;
    sentReason = reason;
    if (timer == null) {
      timer =
          ctx.executor()
              .schedule(
                  () -> {
                    if (!ended) {
                      log.debug("connection {}: no close answer in time; dropping it", id);
                      ctx.close();
                    }
                  },
                  closeTimeout.toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }
}
