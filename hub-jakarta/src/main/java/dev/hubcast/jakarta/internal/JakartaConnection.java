package dev.hubcast.jakarta.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hub connection on a Jakarta WebSocket {@link Session}: the {@link Connection} the hub sends
 * to, and the sink of the session's messages, pongs, close and errors (from {@link HubEndpoint}).
 *
 * <p>Sends: the Jakarta API allows one asynchronous send in flight per session (Tomcat throws on a
 * second). So {@link #send} queues, and the thread that finds no send in flight starts the next
 * one: the caller's, or the container's thread that completes the previous send. {@code
 * RemoteEndpoint.Async} only starts a write and never blocks, so the hub's thread is never held. A
 * send completes when the container reports it written (its {@link SendHandler}); each completes
 * exactly once, and what is queued when the connection ends fails. Text goes out as the message's
 * decoded {@link String} (decoded once per message and shared by every recipient; the container
 * encodes it to UTF-8 again per recipient, as the API has no way to send text from bytes), binary
 * as a read-only view of the message's bytes, not copied.
 *
 * <p>Closes go through the same queue, after the sends before them, and run on the endpoint's
 * blocking pool, as do pings: the API offers them only as blocking calls.
 *
 * <p>Threading: the container calls the inbound methods one at a time; the hub calls {@link #send}
 * one at a time and {@link #close} from any thread; completions arrive on the container's threads.
 * They meet in the queue, a few atomic fields and the hand-over between {@link #open} and an early
 * end (under this object's lock).
 */
final class JakartaConnection implements Connection {

  private static final Logger log = LoggerFactory.getLogger(JakartaConnection.class);

  private static final Message.WireKey<String> TEXT = Message.WireKey.of("hub-jakarta text");

  private final String id;
  private final Handshake handshake;
  private final EndpointState state;
  private final Session session;
  private final InboundAssembler assembler;
  private final IdleWatch idle;

  private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean(); // a send in flight, or a drain
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  private volatile boolean closeDispatched; // the close left the queue: what follows fails
  private volatile boolean ended; // the container (or the close timeout) ended the connection
  private volatile Send inFlight;

  // Guarded by this: the hand-over between open and an early end.
  private Inbound inbound;
  private int endCode;
  private String endReason;
  private ScheduledFuture<?> closeTimer;

  JakartaConnection(EndpointState state, Session session, Admission admission) {
    this.id = admission.connectionId();
    this.handshake = admission.handshake();
    this.state = state;
    this.session = session;
    this.assembler = new InboundAssembler(state.settings.maxMessageBytes());
    this.idle =
        new IdleWatch(
            state.timer,
            state.settings,
            this::ping,
            () -> {
              log.debug("connection {}: silent for the idle timeout; closing", id);
              close(CloseCodes.GOING_AWAY, "idle timeout");
            },
            () -> closeRequested.get() || ended);
  }

  // ------------------------------------------------------------------ open

  /** Opens the connection on the hub, then reports an end that came meanwhile. */
  void open() {
    state.opened(this);
    Inbound sink;
    try {
      sink = state.acceptor.open(this);
    } catch (RuntimeException e) {
      log.warn("connection {}: the hub could not open it", id, e);
      close(CloseCodes.INTERNAL_ERROR, "internal error");
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
      reportClose(sink, endCode, endReason);
    }
  }

  // ------------------------------------------------------------------ Connection (hub ->
  // container)

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
    if (closeDispatched || ended) {
      completion.complete(frame, new ClosedChannelException());
      return;
    }
    queue.add(new Send(frame, completion));
    drain();
  }

  @Override
  public void close(int code, String reason) {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    Close close = new Close(code, CloseCodes.truncateReason(reason));
    queue.add(close);
    drain();
    if (!close.dispatched.get()) {
      // Behind a send in flight that may never complete (a peer that stopped reading): after the
      // close timeout the close goes ahead of what is still queued here, which then fails. The
      // container still writes it after the message it is writing.
      try {
        state.timer.schedule(
            () -> dispatchClose(close),
            state.settings.closeTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        dispatchClose(close);
      }
    }
  }

  @Override
  public boolean isOpen() {
    return !closeRequested.get() && !ended && session.isOpen();
  }

  /**
   * Starts queued items while no send is in flight. Whoever takes {@link #writing} starts the next
   * send; its completion gives {@code writing} back and drains again, unless the send completed
   * inside the call that started it (then this loop goes on: no recursion through the handler).
   */
  private void drain() {
    while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
      Item item;
      while ((item = queue.poll()) != null) {
        if (item instanceof Close) {
          dispatchClose((Close) item);
          continue;
        }
        Send send = (Send) item;
        if (closeDispatched || ended) {
          send.finish(new ClosedChannelException());
          continue;
        }
        if (!start(send)) {
          return; // in flight: its completion releases writing and drains
        }
      }
      writing.set(false);
    }
  }

  /**
   * Starts one asynchronous send.
   *
   * @return whether it completed already (inside the call), so that the caller may go on
   */
  private boolean start(Send send) {
    inFlight = send;
    send.caller = Thread.currentThread();
    try {
      Message frame = send.frame;
      if (frame.isText()) {
        session.getAsyncRemote().sendText(frame.wireForm(TEXT, Message::text), send);
      } else {
        session.getAsyncRemote().sendBinary(frame.payload(), send);
      }
    } catch (RuntimeException e) { // the session is closed, or the container refused it
      send.finish(e);
      send.caller = null;
      inFlight = null;
      return true;
    }
    send.caller = null;
    if (send.completedInline) {
      inFlight = null;
      return true;
    }
    return false;
  }

  /** A send's completion, on the container's thread, when it did not complete inside start. */
  private void completedLater() {
    inFlight = null;
    writing.set(false);
    drain();
  }

  /** Starts the close, once: from the queue, or from its deadline. */
  private void dispatchClose(Close close) {
    if (!close.dispatched.compareAndSet(false, true)) {
      return;
    }
    closeDispatched = true;
    try {
      state.blocking.execute(() -> closeNow(close));
    } catch (RejectedExecutionException e) { // the endpoint is closed: no more blocking calls
      ended(CloseCodes.ABNORMAL, "endpoint closed");
    }
  }

  /** On the blocking pool: the close handshake, then a timer for a peer that does not answer. */
  private void closeNow(Close close) {
    if (!ended) {
      try {
        session.close(
            new CloseReason(CloseReason.CloseCodes.getCloseCode(close.code), close.reason));
      } catch (IOException | RuntimeException e) {
        log.debug("connection {}: close failed: {}", id, e.toString());
      }
    }
    synchronized (this) {
      if (!ended) {
        try {
          closeTimer =
              state.timer.schedule(
                  () -> ended(CloseCodes.ABNORMAL, "close timeout"),
                  state.settings.closeTimeout().toMillis(),
                  TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // The endpoint is closed; the container still reports the end.
        }
      }
    }
  }

  // ------------------------------------------------------------------ idle check

  /** A message, a part of one, or a pong came in: the peer is alive. */
  void heard() {
    idle.heard();
  }

  private void ping() {
    try {
      state.blocking.execute(
          () -> {
            try {
              session.getBasicRemote().sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
              log.debug("connection {}: ping failed: {}", id, e.toString());
            }
          });
    } catch (RejectedExecutionException e) {
      // The endpoint is closed and closes its connections.
    }
  }

  // ------------------------------------------------------------------ inbound (container -> hub)

  /** A part of a text message; the container has checked it is UTF-8 (1007 otherwise). */
  void onText(String part, boolean last) {
    heard();
    deliver(assembler.text(part, last));
  }

  /** A part of a binary message. */
  void onBinary(ByteBuffer part, boolean last) {
    heard();
    deliver(assembler.binary(part, last));
  }

  private void deliver(InboundAssembler.Result result) {
    if (result == InboundAssembler.TOO_BIG) {
      log.warn("connection {}: message over {} bytes; closing", id, assembler.maxMessageBytes());
      close(CloseCodes.MESSAGE_TOO_BIG, CloseCodes.tooBigReason(assembler.maxMessageBytes()));
      return;
    }
    if (result == null || closeRequested.get()) {
      return; // a part, or a message after the limit was passed
    }
    Inbound sink = inbound; // set: the container delivers messages after onOpen returned
    try {
      sink.onMessage(result.message());
    } catch (RuntimeException e) {
      log.warn("connection {}: message not delivered to the hub", id, e);
      close(CloseCodes.INTERNAL_ERROR, "internal error");
    }
  }

  void error(Throwable cause) {
    if (cause instanceof IOException || !session.isOpen()) {
      // A peer that went away, or an error the container answers with its close: onClose follows.
      log.debug("connection {}: {}", id, cause.toString());
      return;
    }
    Inbound sink;
    synchronized (this) {
      sink = inbound;
    }
    if (sink == null || closeReported.get()) {
      log.warn("connection {}: error outside the hub's watch: {}", id, cause.toString());
      return;
    }
    try {
      sink.onError(cause);
    } catch (RuntimeException e) {
      log.warn("connection {}: error not reported to the hub", id, e);
    }
  }

  /**
   * The end, once: from the container's {@code onClose}, or from the close timeout. Fails what is
   * queued, and a send in flight that the container does not complete within the close timeout.
   */
  void ended(int code, String reason) {
    Inbound sink;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      endCode = code;
      endReason = reason == null ? "" : reason;
      sink = inbound;
      idle.stop();
      if (closeTimer != null) {
        closeTimer.cancel(false);
      }
    }
    state.ended(this);
    assembler.release();
    Send pending = inFlight;
    if (pending != null) {
      try {
        state.timer.schedule(
            () -> failStuck(pending),
            state.settings.closeTimeout().toMillis() / 2,
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        failStuck(pending);
      }
    }
    drain(); // fails what is queued, unless a send is in flight: its completion will
    if (sink != null) {
      reportClose(sink, endCode, endReason);
    } // else open() reports it once acceptor.open has returned
  }

  /** A send in flight the container never completed after the end: failed, and the queue too. */
  private void failStuck(Send send) {
    if (send.finish(new ClosedChannelException())) {
      completedLater();
    }
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
    return "JakartaConnection[" + id + "]";
  }

  // ------------------------------------------------------------------ queue items

  private interface Item {}

  private static final class Close implements Item {
    final int code;
    final String reason;
    final AtomicBoolean dispatched = new AtomicBoolean();

    Close(int code, String reason) {
      this.code = code;
      this.reason = reason;
    }
  }

  /**
   * One send; its {@link SendHandler}. Completes the hub's send once, whatever the container does.
   */
  private final class Send implements Item, SendHandler {
    final Message frame;
    final SendCompletion completion;
    private final AtomicBoolean done = new AtomicBoolean();
    volatile Thread caller; // the thread inside start(), while it is
    volatile boolean completedInline;

    Send(Message frame, SendCompletion completion) {
      this.frame = frame;
      this.completion = completion;
    }

    /** Completes the hub's send; returns whether this call did (the first). */
    boolean finish(Throwable failure) {
      if (!done.compareAndSet(false, true)) {
        return false;
      }
      try {
        completion.complete(frame, failure);
      } catch (RuntimeException e) {
        log.warn("connection {}: send completion threw", id, e);
      }
      return true;
    }

    @Override
    public void onResult(SendResult result) {
      Throwable failure = result.isOK() ? null : result.getException();
      if (!result.isOK() && failure == null) {
        failure = new IOException("send failed");
      }
      if (!finish(failure)) {
        return; // failed already (stuck after the end): the queue went on then
      }
      if (caller == Thread.currentThread()) {
        completedInline = true; // start() returns and its loop goes on
      } else {
        completedLater();
      }
    }
  }
}
