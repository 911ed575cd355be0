package dev.hubcast.core;

import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A connection for core tests: records what the hub sends and how it closes. Completes sends at
 * once unless {@link #hold() held} (a stalled socket). On {@code close} it reports the close back,
 * as a peer answering the close handshake would. Thread-safe.
 */
public final class FakeConnection implements Connection {
  private final String id;
  private final Handshake handshake;
  private final List<Message> received = new CopyOnWriteArrayList<>();
  private final ArrayDeque<Object[]> held = new ArrayDeque<>();
  private boolean holding;
  private boolean open = true;
  private boolean broken;
  private volatile int closeCode;
  private volatile String closeReason;
  private volatile Inbound inbound;
  private volatile int sendsAfterClose;
  private volatile boolean hubKnows; // the hub closed it, or was told of its close
  private volatile Consumer<Message> onSend = frame -> {};

  private FakeConnection(String id, Handshake handshake) {
    this.id = id;
    this.handshake = handshake;
  }

  /** Admits and opens a connection on {@code hub} from {@code host} with a query. */
  public static FakeConnection open(Hub<?> hub, String host, String query) {
    return open(hub, host, query, Map.of());
  }

  /** Admits and opens a connection; fails the test if the hub refuses. */
  public static FakeConnection open(
      Hub<?> hub, String host, String query, Map<String, List<String>> headers) {
    Acceptor acceptor = Acceptor.of(hub);
    Admission admission = acceptor.admit(handshake(host, query, headers));
    if (!admission.isAdmitted()) {
      throw new AssertionError("refused: " + admission);
    }
    FakeConnection c = new FakeConnection(admission.connectionId(), admission.handshake());
    Inbound sink = acceptor.open(c);
    synchronized (c) {
      c.inbound = sink;
    }
    if (c.closeCode != 0) {
      sink.onClose(c.closeCode, c.closeReason); // closed while the hub was opening it
    }
    return c;
  }

  /** A handshake from {@code host}:12345 at /ws. */
  public static Handshake handshake(String host, String query, Map<String, List<String>> headers) {
    return Handshake.of("/ws", query, headers, new InetSocketAddress(host, 12345));
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Handshake handshake() {
    return handshake;
  }

  /** Calls {@code observer} on the sending thread at the start of each send; returns this. */
  public FakeConnection onSend(Consumer<Message> observer) {
    this.onSend = observer;
    return this;
  }

  @Override
  public void send(Message frame, SendCompletion completion) {
    onSend.accept(frame);
    boolean ok;
    synchronized (this) {
      if (!open || broken) {
        if (hubKnows) {
          sendsAfterClose++;
        }
        ok = false;
      } else if (holding) {
        held.add(new Object[] {frame, completion});
        return;
      } else {
        ok = true;
      }
    }
    if (ok) {
      received.add(frame);
      completion.complete(frame, null);
    } else {
      completion.complete(frame, new ClosedChannelException());
    }
  }

  /** Stops completing sends, as a socket whose peer stopped reading. */
  public synchronized void hold() {
    holding = true;
  }

  /** Completes held sends in order and goes back to completing at once. */
  public void release() {
    while (true) {
      Object[] next;
      synchronized (this) {
        next = held.poll();
        if (next == null) {
          holding = false;
          return;
        }
      }
      received.add((Message) next[0]);
      ((SendCompletion) next[1]).complete((Message) next[0], null);
    }
  }

  @Override
  public void close(int code, String reason) {
    hubKnows = true;
    List<Object[]> failed;
    synchronized (this) {
      if (!open) {
        return;
      }
      open = false;
      closeCode = code;
      closeReason = reason;
      failed = new ArrayList<>(held);
      held.clear();
    }
    for (Object[] f : failed) {
      ((SendCompletion) f[1]).complete((Message) f[0], new ClosedChannelException());
    }
    Inbound sink;
    synchronized (this) {
      sink = inbound;
    }
    if (sink != null) {
      sink.onClose(code, reason);
    }
  }

  /** The client goes away: the transport reports the close, and fails the sends it held. */
  public void peerClosed(int code) {
    List<Object[]> failed;
    synchronized (this) {
      if (!open) {
        return;
      }
      open = false;
      closeCode = code;
      failed = new ArrayList<>(held);
      held.clear();
    }
    inbound.onClose(code, "");
    hubKnows = true;
    for (Object[] f : failed) {
      ((SendCompletion) f[1]).complete((Message) f[0], new ClosedChannelException());
    }
  }

  /** The socket is gone but the transport has not noticed yet: sends fail from now on. */
  public synchronized void peerClosedSilently() {
    broken = true;
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  public Inbound inbound() {
    return inbound;
  }

  /** The texts received, in order. */
  public List<String> texts() {
    List<String> out = new ArrayList<>();
    for (Message f : received) {
      out.add(f.text());
    }
    return out;
  }

  public List<Message> frames() {
    return received;
  }

  public int closeCode() {
    return closeCode;
  }

  public String closeReason() {
    return closeReason;
  }

  public synchronized int heldCount() {
    return held.size();
  }

  /** Sends the hub made after it closed this connection or was told of its close. */
  public int sendsAfterClose() {
    return sendsAfterClose;
  }
}
