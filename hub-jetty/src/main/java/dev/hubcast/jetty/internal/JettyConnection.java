package dev.hubcast.jetty.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import dev.hubcast.core.spi.TransportSettings;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;
import org.eclipse.jetty.websocket.core.exception.ProtocolException;
import org.eclipse.jetty.websocket.core.exception.WebSocketTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hub connection on a Jetty core WebSocket session: the {@link Connection} the hub sends to,
 * and the {@link FrameHandler} Jetty reports frames to.
 *
 * <p>Why the core {@link FrameHandler} and {@link CoreSession#sendFrame} rather than Jetty's {@code
 * Session} API: {@code Session.sendText(String, ...)} encodes the string to UTF-8 again for every
 * session, so a broadcast to N clients would encode N times. {@code sendFrame} takes a {@link
 * ByteBuffer} as it is. A hub {@link Message} caches one read-only buffer of its payload ({@link
 * #PAYLOAD}), and each recipient gets a {@link ByteBuffer#slice() slice} of it: a new position and
 * limit over the same bytes, never a copy and never an encode. The core API also hands us every
 * frame (pongs included, for the idle check) and text payloads as bytes, so an inbound text message
 * is validated as UTF-8 but never decoded to a {@code String} and encoded back.
 *
 * <p>Sends and the close do not write on the caller's thread: they are queued on the connection's
 * {@link WriteBatcher}, which writes each connection once per round for everything sent to it since
 * (see there why).
 *
 * <p>Threading: Jetty calls the {@link FrameHandler} methods one at a time (its reading thread);
 * the hub calls {@link #send} one at a time and {@link #close} from any thread; the batcher's
 * rounds hand the frames to Jetty one round at a time. They meet only in Jetty's {@link
 * CoreSession}, which is thread-safe, in the batcher's queue and in a few atomic fields.
 */
final class JettyConnection implements Connection, FrameHandler {

  private static final Logger log = LoggerFactory.getLogger(JettyConnection.class);

  /**
   * A frame's payload as every Jetty connection sends it: one buffer per frame, shared read-only by
   * all recipients, each of which sends its own slice (its own position over the same bytes).
   */
  static final Message.WireKey<ByteBuffer> PAYLOAD = Message.WireKey.of("hub-jetty payload");

  /**
   * Payloads from this size up are copied once per frame into a direct buffer. A heap buffer is
   * copied by the JDK into a temporary direct buffer on every socket write, so once per recipient
   * (and again on every partial write); a direct buffer is written as it is, whatever the number of
   * recipients. Below this size that copy costs less than allocating direct memory.
   */
  static final int DIRECT_THRESHOLD = 8 * 1024;

  /** An assembled message buffer larger than this is not kept for the next message. */
  private static final int RETAINED_BUFFER_BYTES = 64 * 1024;

  private static final int MAX_REASON_BYTES = 123;

  private final String id;
  private final Handshake handshake;
  private final Acceptor acceptor;
  private final Scheduler scheduler;
  private final WriteBatcher batcher;
  private final int maxMessageBytes;
  private final long idleNanos;
  private final long pingNanos;
  private final long closeTimeoutMillis;

  private volatile CoreSession session;
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  private volatile long lastInboundNanos;

  // Written under this (the hand-over between open and an early close); read without it.
  private volatile Inbound inbound;

  // Guarded by this: the end as Jetty reported it, and the timers.
  private boolean ended;
  private int endCode;
  private String endReason;
  private Scheduler.Task idleTask;
  private Scheduler.Task closeTask;

  // Confined to Jetty's reading thread.
  private byte messageType = OpCode.UNDEFINED;
  private byte[] buffer;
  private int length;
  private final Utf8Validator utf8 = new Utf8Validator();

  // Confined to the idle check, which runs one task at a time (each schedules the next).
  private long pingedFor; // the lastInboundNanos a ping was already sent for

  // Confined to the batcher's rounds: whether this round has written to it and must flush it.
  boolean dirty;

  JettyConnection(
      String id,
      Handshake handshake,
      Acceptor acceptor,
      Scheduler scheduler,
      WriteBatcher batcher) {
    this.id = id;
    this.handshake = handshake;
    this.acceptor = acceptor;
    this.scheduler = scheduler;
    this.batcher = batcher;
    TransportSettings settings = acceptor.settings();
    this.maxMessageBytes = settings.maxMessageBytes();
    this.idleNanos = settings.idleTimeout().toNanos();
    this.pingNanos = settings.pingInterval().toNanos();
    this.closeTimeoutMillis = settings.closeTimeout().toMillis();
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
   * Queues the frame on this connection's {@link WriteBatcher}, which hands it to Jetty in its next
   * round and flushes once for everything that round sent here.
   */
  @Override
  public void send(Message frame, SendCompletion completion) {
    batcher.submit(new SendCallback(this, frame, completion));
  }

  /** On the batcher's round: hands one frame to Jetty, batched; returns whether to flush. */
  private boolean write(SendCallback callback) {
    try {
      Message frame = callback.frame;
      ByteBuffer shared = frame.wireForm(PAYLOAD, JettyConnection::wirePayload);
      org.eclipse.jetty.websocket.core.Frame wire =
          new org.eclipse.jetty.websocket.core.Frame(
              frame.isText() ? OpCode.TEXT : OpCode.BINARY, true, shared.slice());
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

  /** On the batcher's round, after its writes to this connection: one socket write for them. */
  void flush() {
    CoreSession s = session;
    if (s != null) {
      s.flush(Callback.NOOP); // a failed write fails the session, which reports the end
    }
  }

  /** The shared payload of a frame: a view of its bytes, or one direct copy for large ones. */
  static ByteBuffer wirePayload(Message frame) {
    ByteBuffer payload = frame.payload();
    if (frame.length() < DIRECT_THRESHOLD) {
      return payload;
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(frame.length());
    direct.put(payload).flip();
    return direct.asReadOnlyBuffer();
  }

  /**
   * Closes after the frames already sent: the close goes through the same {@link WriteBatcher}
   * queue as the sends, so it cannot overtake them.
   */
  @Override
  public void close(int code, String reason) {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    String truncated = truncate(reason);
    batcher.submit(
        new WriteBatcher.Op(this) {
          @Override
          boolean run() {
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

  // ------------------------------------------------------------------ FrameHandler (Jetty -> hub)

  @Override
  public void onOpen(CoreSession coreSession, Callback callback) {
    this.session = coreSession;
    this.lastInboundNanos = System.nanoTime();
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
      if (!ended) {
        idleTask = scheduler.schedule(this::checkIdle, pingNanos, TimeUnit.NANOSECONDS);
      }
    }
    callback.succeeded();
    if (endedMeanwhile) {
      reportClose(sink, endCode, endReason);
      return;
    }
    coreSession.demand();
  }

  @Override
  public void onFrame(org.eclipse.jetty.websocket.core.Frame frame, Callback callback) {
    lastInboundNanos = System.nanoTime();
    switch (frame.getOpCode()) {
      case OpCode.TEXT, OpCode.BINARY -> {
        messageType = frame.getOpCode();
        length = 0;
        utf8.reset();
        onData(frame, callback);
      }
      case OpCode.CONTINUATION -> onData(frame, callback);
      case OpCode.PING -> {
        // The pong carries the ping's payload, which Jetty keeps until the callback completes.
        Runnable next =
            () -> {
              callback.succeeded();
              session.demand();
            };
        session.sendFrame(
            new org.eclipse.jetty.websocket.core.Frame(OpCode.PONG, true, frame.getPayload()),
            Callback.from(next, failure -> next.run()),
            false);
      }
      case OpCode.PONG -> {
        callback.succeeded();
        session.demand();
      }
      case OpCode.CLOSE -> callback.succeeded(); // Jetty answers it, then calls onClosed
      default -> callback.failed(new ProtocolException("unexpected opcode " + frame.getOpCode()));
    }
  }

  private void onData(org.eclipse.jetty.websocket.core.Frame frame, Callback callback) {
    ByteBuffer payload = frame.hasPayload() ? frame.getPayload() : ByteBuffer.allocate(0);
    int n = payload.remaining();
    boolean text = messageType == OpCode.TEXT;
    // Failing the callback with a CloseException makes Jetty close with its code (1009, 1007).
    if ((long) length + n > maxMessageBytes) {
      dropBuffer();
      callback.failed(
          new MessageTooLargeException("message larger than " + maxMessageBytes + " bytes"));
      return;
    }
    if (text && !utf8.feed(payload)) {
      dropBuffer();
      callback.failed(new BadPayloadException("text message is not valid UTF-8"));
      return;
    }
    if (!frame.isFin()) {
      append(payload);
      callback.succeeded();
      session.demand();
      return;
    }
    if (text && !utf8.isComplete()) {
      dropBuffer();
      callback.failed(new BadPayloadException("text message is not valid UTF-8"));
      return;
    }
    Message message;
    if (length == 0) {
      // One frame: one copy, straight out of Jetty's pooled buffer.
      message = text ? Message.textUtf8(payload) : Message.binary(payload);
    } else {
      append(payload);
      ByteBuffer whole = ByteBuffer.wrap(buffer, 0, length);
      message = text ? Message.textUtf8(whole) : Message.binary(whole);
      if (buffer.length > RETAINED_BUFFER_BYTES) {
        buffer = null;
      }
    }
    length = 0;
    messageType = OpCode.UNDEFINED;
    callback.succeeded();
    try {
      inbound.onMessage(message);
    } catch (RuntimeException e) {
      // The hub contains its handlers; this is a broken sink. Keep Jetty's thread safe.
      log.warn("connection {}: message not delivered to the hub", id, e);
      close(CloseCodes.INTERNAL_ERROR, "internal error");
    }
    // The next frame is read at once, while this message's answers may still wait for a write
    // round: reads and writes overlap. So when that next frame breaks the protocol, Jetty fails
    // the connection (close 1002) and answers still queued here are dropped, as RFC 6455 allows
    // for a failed connection; waiting for them before reading halved the throughput of two nodes
    // sharing a core (docs/benchmarks.md).
    session.demand();
  }

  private void append(ByteBuffer payload) {
    int n = payload.remaining();
    if (n == 0) {
      return;
    }
    int needed = length + n; // <= maxMessageBytes, checked by the caller
    if (buffer == null || buffer.length < needed) {
      long grown = buffer == null ? 1024 : (long) buffer.length * 2;
      int capacity = (int) Math.min(maxMessageBytes, Math.max(grown, needed));
      byte[] bigger = new byte[capacity];
      if (length > 0) {
        System.arraycopy(buffer, 0, bigger, 0, length);
      }
      buffer = bigger;
    }
    payload.duplicate().get(buffer, length, n);
    length = needed;
  }

  private void dropBuffer() {
    buffer = null;
    length = 0;
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
      if (idleTask != null) {
        idleTask.cancel();
      }
      if (closeTask != null) {
        closeTask.cancel();
      }
    }
    dropBuffer();
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

  // ------------------------------------------------------------------ idle check

  /**
   * Runs at most every half idle timeout: pings a connection silent for half the idle timeout, and
   * closes one silent for all of it. Only inbound frames count as life: Jetty's own idle timeout
   * also counts our writes (pings included), so it is set longer and serves as a backstop.
   */
  private void checkIdle() {
    CoreSession s = session;
    if (closeRequested.get()) {
      return;
    }
    long last = lastInboundNanos;
    long silent = System.nanoTime() - last;
    if (silent >= idleNanos) {
      log.debug("connection {}: silent for {} ms; closing", id, silent / 1_000_000);
      close(CloseCodes.GOING_AWAY, "idle timeout");
      return;
    }
    long next;
    if (silent >= pingNanos) {
      if (pingedFor != last) {
        pingedFor = last;
        s.sendFrame(new org.eclipse.jetty.websocket.core.Frame(OpCode.PING), Callback.NOOP, false);
      }
      next = idleNanos - silent;
    } else {
      next = pingNanos - silent;
    }
    synchronized (this) {
      if (!ended) {
        idleTask = scheduler.schedule(this::checkIdle, next, TimeUnit.NANOSECONDS);
      }
    }
  }

  private static String truncate(String reason) {
    if (reason == null) {
      return "";
    }
    byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= MAX_REASON_BYTES) {
      return reason;
    }
    int end = MAX_REASON_BYTES;
    while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
      end--; // do not cut a character in two
    }
    return new String(utf8, 0, end, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "JettyConnection[" + id + "]";
  }

  /**
   * One send: queued on the batcher, then handed to Jetty as its callback, which reports the
   * outcome to the hub exactly once, whatever Jetty does. Non-blocking, so Jetty may run it on its
   * selector thread.
   */
  static final class SendCallback extends WriteBatcher.Op implements Callback {
    private static final VarHandle DONE;

    static {
      try {
        DONE = MethodHandles.lookup().findVarHandle(SendCallback.class, "done", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final Message frame;
    private final SendCompletion completion;

    @SuppressWarnings("unused") // through DONE
    private volatile boolean done;

    SendCallback(JettyConnection connection, Message frame, SendCompletion completion) {
      super(connection);
      this.frame = frame;
      this.completion = completion;
    }

    @Override
    boolean run() {
      return connection.write(this);
    }

    @Override
    public void succeeded() {
      if (DONE.compareAndSet(this, false, true)) {
        completion.complete(frame, null);
      }
    }

    @Override
    public void failed(Throwable failure) {
      if (DONE.compareAndSet(this, false, true)) {
        completion.complete(frame, failure);
      }
    }

    @Override
    public Invocable.InvocationType getInvocationType() {
      return Invocable.InvocationType.NON_BLOCKING;
    }
  }
}
