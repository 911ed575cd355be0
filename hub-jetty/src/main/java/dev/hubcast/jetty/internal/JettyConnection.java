package dev.hubcast.jetty.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import dev.hubcast.core.spi.WriteRounds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.CloseException;
import org.eclipse.jetty.websocket.core.exception.ProtocolException;
import org.eclipse.jetty.websocket.core.exception.WebSocketTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hub connection on a Jetty core WebSocket session: the {@link Connection} the hub sends to,
 * and the {@link FrameHandler} Jetty reports frames to. Its parts: {@link WirePayloads} (the shared
 * payload of a message), {@link SendCallback} (one send), {@link MessageAssembler} (inbound
 * messages), {@link IdleCheck} (pings and the idle timeout), and the {@link JettyWriteRounds} it
 * belongs to (its target: flushed once per round that wrote to it).
 *
 * <p>Why the core {@link FrameHandler} and {@link CoreSession#sendFrame} rather than Jetty's {@code
 * Session} API: {@code Session.sendText(String, ...)} encodes the string to UTF-8 again for every
 * session, so a broadcast to N clients would encode N times. {@code sendFrame} takes a {@link
 * ByteBuffer} as it is: each recipient sends a {@link ByteBuffer#slice() slice} of the message's
 * one shared payload, never a copy and never an encode. The core API also hands us every frame
 * (pongs included, for the idle check) and text payloads as bytes, so an inbound text message is
 * validated as UTF-8 but never decoded to a {@code String} and encoded back.
 *
 * <p>Sends and the close do not write on the caller's thread: they are queued on the connection's
 * write rounds, which write each connection once per round for everything sent to it since.
 *
 * <p>Threading: Jetty calls the {@link FrameHandler} methods one at a time (its reading thread);
 * the hub calls {@link #send} one at a time and {@link #close} from any thread; the rounds hand the
 * frames to Jetty one round at a time. They meet only in Jetty's {@link CoreSession}, which is
 * thread-safe, in the rounds' queue and in a few atomic fields.
 */
final class JettyConnection extends WriteRounds.Target implements Connection, FrameHandler {

  private static final Logger log = LoggerFactory.getLogger(JettyConnection.class);

  private final String id;
  private final Handshake handshake;
  private final Acceptor acceptor;
  private final Scheduler scheduler;
  private final WriteRounds rounds;
  private final long closeTimeoutMillis;
  private final MessageAssembler assembler; // confined to Jetty's reading thread
  private final IdleCheck idle;

  private volatile CoreSession session;
  private boolean refused; // a message was refused (1009, 1007): read on, dropping, until closed
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final AtomicBoolean closeReported = new AtomicBoolean();

  // Written under this (the hand-over between open and an early close); read without it.
  private volatile Inbound inbound;

  // Guarded by this: the end as Jetty reported it, and the close timer.
  private boolean ended;
  private int endCode;
  private String endReason;
  private Scheduler.Task closeTask;

  JettyConnection(
      String id, Handshake handshake, Acceptor acceptor, Scheduler scheduler, WriteRounds rounds) {
    this.id = id;
    this.handshake = handshake;
    this.acceptor = acceptor;
    this.scheduler = scheduler;
    this.rounds = rounds;
    this.closeTimeoutMillis = acceptor.settings().closeTimeout().toMillis();
    this.assembler = new MessageAssembler(acceptor.settings().maxMessageBytes());
    this.idle = new IdleCheck(this, scheduler, acceptor.settings());
  }

  // ------------------------------------------------------------------ Connection (hub -> Jetty)

  @Override
  public String id() {
    return id;
  }

  @Override
  public Handshake handshake() {
    return handshake;
  }

  /**
   * Queues the frame on this connection's write rounds, which hand it to Jetty in the next round
   * and flush once for everything that round sent here.
   */
  @Override
  public void send(Message frame, SendCompletion completion) {
    rounds.submit(new SendCallback(this, frame, completion));
  }

  /** On a round: hands one frame to Jetty, batched; returns whether to flush. */
  boolean write(SendCallback callback) {
    try {
      Message frame = callback.frame();
      Frame wire =
          new Frame(
              frame.isText() ? OpCode.TEXT : OpCode.BINARY, true, WirePayloads.of(frame).slice());
      // batch=true: Jetty gathers it with the round's other frames for this connection and writes
      // them all at the flush. A payload under a quarter of the output buffer (1 KiB by default) is
      // copied into the connection's output buffer; a larger one is written from the shared buffer.
      session.sendFrame(wire, callback, true);
      return true;
    } catch (Throwable t) {
      callback.failed(t);
      return false;
    }
  }

  /** On a round, after its writes to this connection: one socket write for them. */
  @Override
  protected void flush() {
    CoreSession s = session;
    if (s != null) {
      s.flush(Callback.NOOP); // a failed write fails the session, which reports the end
    }
  }

  /**
   * Closes after the frames already sent: the close goes through the same write rounds as the
   * sends, so it cannot overtake them.
   */
  @Override
  public void close(int code, String reason) {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    String truncated = CloseCodes.truncateReason(reason);
    rounds.submit(
        new WriteRounds.Op<>(this) {
          @Override
          protected boolean run() {
            closeNow(code, truncated);
            return false; // Jetty writes a close frame at once, after what is gathered
          }
        });
  }

  private void closeNow(int code, String reason) {
    CoreSession s = session;
    if (s == null || !s.isOutputOpen()) {
      return; // Jetty is already closing it (the peer's close, an error); it reports the end
    }
    s.close(code, reason, Callback.NOOP);
    synchronized (this) {
      if (!ended) {
        // A peer that never answers the close is dropped; Jetty then reports the end.
        closeTask = scheduler.schedule(s::abort, closeTimeoutMillis, TimeUnit.MILLISECONDS);
      }
    }
  }

  @Override
  public boolean isOpen() {
    CoreSession s = session;
    return s != null && !closeRequested.get() && s.isOutputOpen();
  }

  /** Whether the hub (or the idle check) has asked to close. */
  boolean closeRequested() {
    return closeRequested.get();
  }

  /** Sends a ping, ahead of anything gathered; for the idle check. */
  void ping() {
    session.sendFrame(new Frame(OpCode.PING), Callback.NOOP, false);
  }

  // ------------------------------------------------------------------ FrameHandler (Jetty -> hub)

  @Override
  public void onOpen(CoreSession coreSession, Callback callback) {
    this.session = coreSession;
    idle.heard();
    Inbound sink;
    try {
      // The hub may send (a welcome, a room's history) or close from inside open: Jetty accepts
      // frames from the moment the session is connected.
      sink = acceptor.open(this);
    } catch (RuntimeException e) {
      log.warn("connection {}: the hub could not open it", id, e);
      callback.failed(e);
      return;
    }
    boolean endedMeanwhile;
    synchronized (this) {
      inbound = sink;
      endedMeanwhile = ended;
    }
    if (!endedMeanwhile) {
      idle.start(); // a no-op if onClosed stops it first
    }
    callback.succeeded();
    if (endedMeanwhile) {
      reportClose(sink, endCode, endReason);
      return;
    }
    coreSession.demand();
  }

  @Override
  public void onFrame(Frame frame, Callback callback) {
    idle.heard();
    switch (frame.getOpCode()) {
      case OpCode.TEXT, OpCode.BINARY, OpCode.CONTINUATION -> onData(frame, callback);
      case OpCode.PING -> pong(frame, callback);
      case OpCode.PONG -> {
        callback.succeeded();
        session.demand();
      }
      case OpCode.CLOSE -> callback.succeeded(); // Jetty answers it, then calls onClosed
      default -> callback.failed(new ProtocolException("unexpected opcode " + frame.getOpCode()));
    }
  }

  /**
   * Answers a ping with its payload. By hand, because Jetty's core session answers only a close by
   * itself: although {@link FrameHandler}'s Javadoc speaks of pings too, {@code
   * WebSocketCoreSession} (Jetty 12.1) passes a ping to the handler and sends nothing once its
   * callback completes, and Jetty's own handlers (the API's {@code JettyWebSocketFrameHandler},
   * core's {@code MessageHandler}) answer pings as this does. Without it, {@code
   * HubWebSocketTest.ping_isAnsweredWithItsPayload} gets no pong.
   */
  private void pong(Frame ping, Callback callback) {
    // The pong carries the ping's payload, which Jetty keeps until the callback completes.
    Runnable next =
        () -> {
          callback.succeeded();
          session.demand();
        };
    session.sendFrame(
        new Frame(OpCode.PONG, true, ping.getPayload()),
        Callback.from(next, failure -> next.run()),
        false);
  }

  private void onData(Frame frame, Callback callback) {
    if (refused) {
      // Read on, and drop, until the peer answers the close: a socket closed with the rest of the
      // message unread sends the peer a reset, which can destroy the close frame before it is read.
      callback.succeeded();
      session.demand();
      return;
    }
    Message message;
    try {
      message = assembler.add(frame);
    } catch (CloseException e) {
      // Closed as the hub closes (the close frame, then the peer's answer within the close
      // timeout), not failed: Jetty would close the socket at once on a failure, with the rest of
      // the message unread.
      refused = true;
      assembler.release();
      callback.succeeded();
      close(e.getStatusCode(), e.getMessage());
      session.demand();
      return;
    }
    callback.succeeded();
    if (message != null) {
      try {
        inbound.onMessage(message);
      } catch (RuntimeException e) {
        // The hub contains its handlers; this is a broken sink. Keep Jetty's thread safe.
        log.warn("connection {}: message not delivered to the hub", id, e);
        close(CloseCodes.INTERNAL_ERROR, "internal error");
      }
    }
    // The next frame is read at once, while this message's answers may still wait for a write
    // round: reads and writes overlap. So when that next frame breaks the protocol, Jetty fails
    // the connection (close 1002) and answers still queued here are dropped, as RFC 6455 allows
    // for a failed connection; waiting for them before reading halved the throughput of two nodes
    // sharing a core (docs/benchmarks.md).
    session.demand();
  }

  @Override
  public void onError(Throwable cause, Callback callback) {
    if (isDisconnect(cause)) {
      // A peer that goes away, or a timeout: the end of a connection, not a fault. onClosed
      // follows.
      log.debug("connection {}: {}", id, cause.toString());
    } else {
      Inbound sink = inbound;
      if (sink != null) {
        try {
          sink.onError(cause); // the hub logs it once, with the connection id
        } catch (RuntimeException e) {
          log.warn("connection {}: error not reported to the hub", id, e);
        }
      } else {
        log.warn("connection {}: error before open: {}", id, cause.toString());
      }
    }
    callback.succeeded();
  }

  private static boolean isDisconnect(Throwable cause) {
    return cause instanceof IOException || cause instanceof WebSocketTimeoutException;
  }

  @Override
  public void onClosed(CloseStatus closeStatus, Callback callback) {
    int code = closeStatus.getCode();
    String reason = closeStatus.getReason() == null ? "" : closeStatus.getReason();
    Inbound sink;
    synchronized (this) {
      ended = true;
      endCode = code;
      endReason = reason;
      sink = inbound;
      if (closeTask != null) {
        closeTask.cancel();
      }
    }
    idle.stop();
    assembler.release();
    if (sink != null) {
      reportClose(sink, code, reason);
    } // else onOpen reports it once acceptor.open has returned
    callback.succeeded();
  }

  private void reportClose(Inbound sink, int code, String reason) {
    if (closeReported.compareAndSet(false, true)) {
      try {
        sink.onClose(code, reason);
      } catch (RuntimeException e) {
        log.warn("connection {}: close not reported to the hub", id, e);
      }
    }
  }

  @Override
  public String toString() {
    return "JettyConnection[" + id + "]";
  }
}
