package dev.hubcast.testkit;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Pattern;

/**
 * An in-memory transport broken on purpose, one {@link Fault} at a time, for the kit's self-test
 * ({@link KitSelfTest}); with {@link Fault#NONE} it keeps every rule, as the control. Small and
 * written for the test, not shared with {@link InMemoryTransport}, so that a fault here can never
 * leak into the transport applications use. Thread-safe: a connection's state is guarded by its
 * monitor, its reports to the hub by {@code reportLock}; no lock is held while calling the hub or a
 * completion, except a blocking send's wait, which is the fault.
 */
final class BrokenTransport {

  /** One way to break the SPI, with what the kit's failure must say. */
  enum Fault {
    NONE(""),
    /**
     * Rule 1: frames sent from inside {@code Acceptor.open} are lost (completed, not delivered).
     */
    SEND_DURING_OPEN_LOST("rule 1"),
    /** Rule 2: a send to a client that stopped reading waits until it reads again. */
    BLOCKING_SEND("rule 2"),
    /** Rule 2: a send to a client that stopped reading throws. */
    SEND_THROWS("rule 2|SEND_THREW"),
    /** Rule 3: every send is completed twice. */
    COMPLETION_TWICE("rule 3|COMPLETION_NOT_IN_FLIGHT"),
    /** Rule 4: client messages reach the hub in swapped pairs. */
    INBOUND_OUT_OF_ORDER("rule 4"),
    /**
     * Rule 5: a send to a client that stopped reading completes at once, buffered without bound.
     */
    UNBOUNDED_BUFFER("rule 5"),
    /** Rule 6: sends pending when the connection ends are never completed. */
    SENDS_LEFT_AT_CLOSE("rule 6|SENDS_UNCOMPLETED_AFTER_CLOSE"),
    /** Rule 7: close throws (after closing). */
    CLOSE_THROWS("CLOSE_THREW"),
    /** Rule 8: the close is reported twice. */
    CLOSE_REPORTED_TWICE("rule 8|CLOSE_REPORTED_TWICE"),
    /** Rule 8: an error is reported after the close. */
    ERROR_AFTER_CLOSE("rule 8|REPORT_AFTER_CLOSE"),
    /** Rule 8: a close that happens while {@code Acceptor.open} runs is never reported. */
    CLOSE_DURING_OPEN_NOT_REPORTED("rule 8"),
    /** Rule 8: a close the hub asks for is never reported. */
    HUB_CLOSE_NOT_REPORTED("rule 8"),
    /** Rule 9: a client that vanishes is reported as a normal close, 1000. */
    LOST_REPORTED_AS_NORMAL("rule 9"),
    /** Rule 10: messages over {@code maxMessageBytes} are passed to the hub. */
    OVERSIZE_NOT_REFUSED("rule 10|OVERSIZE_MESSAGE"),
    /** Rule 11: text that is not UTF-8 is passed to the hub. */
    UTF8_NOT_CHECKED("rule 11"),
    /** Claims its clients send close codes, but reports every client close as 1005. */
    CLIENT_CLOSE_CODE_LOST("the code the client closed with");

    /** What a failure of the kit must say to name this fault's rule. */
    final Pattern named;

    Fault(String named) {
      this.named = Pattern.compile(named);
    }
  }

  private BrokenTransport() {}

  /** The hub served with {@code fault}. */
  static TestServer serve(Hub<?> hub, Fault fault) {
    return new TestServer() {
      @Override
      public TestClient connect(String query, Map<String, String> headers) {
        return BrokenTransport.connect(hub, fault, query, headers);
      }

      @Override
      public boolean clientsSendRawText() {
        return true;
      }

      @Override
      public void close() {}

      @Override
      public String toString() {
        return "BrokenTransport[" + fault + "]";
      }
    };
  }

  private static TestClient connect(
      Hub<?> hub, Fault fault, String query, Map<String, String> headers) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> h.put(k, List.of(v)));
    Acceptor acceptor = Acceptor.of(hub);
    Admission admission =
        acceptor.admit(Handshake.of("/ws", query, h, new InetSocketAddress("127.0.0.1", 40_000)));
    if (!admission.isAdmitted()) {
      throw new HandshakeRefusedException(admission.status(), admission.reason());
    }
    Pipe pipe = new Pipe(admission, fault, acceptor.settings().maxMessageBytes());
    pipe.opened(acceptor.open(pipe));
    return pipe.client;
  }

  /** The server side of one connection. */
  private static final class Pipe implements Connection {
    final String id;
    final Handshake handshake;
    final Fault fault;
    final int maxMessageBytes;
    final Client client = new Client();
    final Object reportLock = new Object(); // one report to the hub at a time
    Inbound inbound; // guarded by reportLock
    boolean reported; // guarded by reportLock
    int endCode; // guarded by reportLock: the close to report once there is a sink
    String endReason;
    Message swapped; // guarded by reportLock: INBOUND_OUT_OF_ORDER's held message
    boolean silent; // guarded by reportLock: HUB_CLOSE_NOT_REPORTED's close, never reported
    // Guarded by this:
    final ArrayDeque<Object[]> unread = new ArrayDeque<>();
    boolean paused;
    boolean open = true;

    Pipe(Admission admission, Fault fault, int maxMessageBytes) {
      this.id = admission.connectionId();
      this.handshake = admission.handshake();
      this.fault = fault;
      this.maxMessageBytes = maxMessageBytes;
    }

    void opened(Inbound sink) {
      synchronized (reportLock) {
        inbound = sink;
        if (endCode != 0 && !silent && fault != Fault.CLOSE_DURING_OPEN_NOT_REPORTED) {
          report(endCode, endReason);
        }
      }
    }

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
      boolean deliver;
      synchronized (this) {
        if (paused && open) {
          switch (fault) {
            case SEND_THROWS -> throw new IllegalStateException("client not reading (broken)");
            case UNBOUNDED_BUFFER -> {
              unread.add(new Object[] {frame, null});
              completion.complete(frame, null);
              return;
            }
            case BLOCKING_SEND -> {
              while (paused && open) {
                try {
                  wait();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
            }
            default -> {
              unread.add(new Object[] {frame, completion});
              return;
            }
          }
        }
        deliver = open;
      }
      boolean lost = fault == Fault.SEND_DURING_OPEN_LOST && !isOpened();
      if (deliver && !lost) {
        client.texts(frame);
      }
      completion.complete(frame, deliver ? null : new ClosedChannelException());
      if (fault == Fault.COMPLETION_TWICE) {
        completion.complete(frame, null);
      }
    }

    private boolean isOpened() {
      synchronized (reportLock) {
        return inbound != null;
      }
    }

    void pause() {
      synchronized (this) {
        paused = true;
      }
    }

    void resume() {
      List<Object[]> now;
      synchronized (this) {
        paused = false;
        now = new ArrayList<>(unread);
        unread.clear();
        notifyAll();
      }
      for (Object[] f : now) {
        client.texts((Message) f[0]);
        if (f[1] != null) {
          ((SendCompletion) f[1]).complete((Message) f[0], null);
        }
      }
    }

    @Override
    public void close(int code, String reason) {
      if (fault == Fault.HUB_CLOSE_NOT_REPORTED) {
        synchronized (reportLock) {
          silent = true;
        }
      }
      end(code, reason, code, reason);
      if (fault == Fault.CLOSE_THROWS) {
        throw new IllegalStateException("close failed (broken)");
      }
    }

    /** Ends the connection once: the client sees {@code seen}, the hub hears {@code heard}. */
    void end(int seen, String seenReason, int heard, String heardReason) {
      List<Object[]> pending;
      synchronized (this) {
        if (!open) {
          return;
        }
        open = false;
        pending = new ArrayList<>(unread);
        unread.clear();
        notifyAll();
      }
      if (fault != Fault.SENDS_LEFT_AT_CLOSE) {
        for (Object[] f : pending) {
          if (f[1] != null) {
            ((SendCompletion) f[1]).complete((Message) f[0], new ClosedChannelException());
          }
        }
      }
      client.closed.complete(new TestClient.CloseStatus(seen, seenReason));
      synchronized (reportLock) {
        endCode = heard;
        endReason = heardReason;
        if (inbound != null && !silent) {
          report(heard, heardReason);
        }
      }
    }

    /** Holds reportLock. */
    private void report(int code, String reason) {
      if (reported && fault != Fault.CLOSE_REPORTED_TWICE) {
        return;
      }
      reported = true;
      inbound.onClose(code, reason);
      if (fault == Fault.CLOSE_REPORTED_TWICE) {
        inbound.onClose(code, reason);
      }
      if (fault == Fault.ERROR_AFTER_CLOSE) {
        inbound.onError(new IOException("connection reset (broken)"));
      }
    }

    void receive(Message m) {
      synchronized (this) {
        if (!open) {
          return;
        }
      }
      if (m.length() > maxMessageBytes && fault != Fault.OVERSIZE_NOT_REFUSED) {
        close(CloseCodes.MESSAGE_TOO_BIG, CloseCodes.tooBigReason(maxMessageBytes));
        return;
      }
      if (m.isText() && !isUtf8(m) && fault != Fault.UTF8_NOT_CHECKED) {
        close(CloseCodes.INVALID_PAYLOAD, "text is not UTF-8");
        return;
      }
      synchronized (reportLock) {
        if (reported) {
          return;
        }
        if (fault == Fault.INBOUND_OUT_OF_ORDER) {
          if (swapped == null) {
            swapped = m;
            return;
          }
          inbound.onMessage(m);
          m = swapped;
          swapped = null;
        }
        inbound.onMessage(m);
      }
    }

    private static boolean isUtf8(Message m) {
      try {
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(m.toByteArray()));
        return true;
      } catch (CharacterCodingException e) {
        return false;
      }
    }

    @Override
    public synchronized boolean isOpen() {
      return open;
    }

    /** The client side. */
    final class Client implements TestClient {
      final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
      final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
      final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();

      void texts(Message frame) {
        if (frame.isText()) {
          texts.add(frame.text());
        } else {
          binaries.add(frame.toByteArray());
        }
      }

      @Override
      public void sendText(String text) {
        receive(Message.text(text));
      }

      @Override
      public void sendBinary(byte[] data) {
        receive(Message.binary(data));
      }

      @Override
      public void sendRawText(byte[] bytes) {
        receive(Message.textUtf8(bytes));
      }

      @Override
      public String awaitText(Duration timeout) {
        return Waits.poll(texts, timeout, "a text message");
      }

      @Override
      public List<String> awaitTexts(int n, Duration timeout) {
        return Waits.pollAll(texts, n, timeout, "text messages");
      }

      @Override
      public byte[] awaitBinary(Duration timeout) {
        return Waits.poll(binaries, timeout, "a binary message");
      }

      @Override
      public CloseStatus awaitClose(Duration timeout) {
        return Waits.future(closed, timeout, "the connection to close");
      }

      @Override
      public boolean isClosed() {
        return closed.isDone();
      }

      @Override
      public int pendingTexts() {
        return texts.size();
      }

      @Override
      public void pauseReading() {
        pause();
      }

      @Override
      public void resumeReading() {
        resume();
      }

      @Override
      public void close(int code, String reason) {
        boolean lost = fault == Fault.CLIENT_CLOSE_CODE_LOST;
        end(code, reason, lost ? CloseCodes.NO_STATUS : code, lost ? "" : reason);
      }

      @Override
      public void abort() {
        boolean lie = fault == Fault.LOST_REPORTED_AS_NORMAL;
        end(
            CloseCodes.ABNORMAL,
            "aborted",
            lie ? CloseCodes.NORMAL : CloseCodes.ABNORMAL,
            lie ? "bye" : "connection lost");
      }

      @Override
      public String toString() {
        return "BrokenTransport.Client[" + id + ", " + fault + "]";
      }
    }
  }
}
