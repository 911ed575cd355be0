package dev.hubcast.bench.jmh;

import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * A connection whose socket takes every frame at once: it completes each send on the calling thread
 * and keeps only a count, so a benchmark measures the hub's own fan-out cost. Opened through the
 * public SPI, as any adapter's connections are. Not thread-safe beyond what the hub guarantees (one
 * send at a time per connection).
 */
public final class NullConnection implements Connection {
  private final String id;
  private final Handshake handshake;
  private long frames;
  private long bytes;
  private Message last;
  private Inbound inbound;
  private boolean closed;

  private NullConnection(String id, Handshake handshake) {
    this.id = id;
    this.handshake = handshake;
  }

  /** Admits and opens one connection on {@code hub}. */
  public static NullConnection open(Hub<?> hub, int n) {
    Admission admission = admit(hub, n);
    NullConnection c = new NullConnection(admission.connectionId(), admission.handshake());
    c.inbound = Acceptor.of(hub).open(c);
    return c;
  }

  /** Admits connection number {@code n} (its port says which) on {@code hub}. */
  static Admission admit(Hub<?> hub, int n) {
    Handshake h =
        Handshake.of(
            "/ws",
            "",
            Map.of("Host", List.of("127.0.0.1")),
            new InetSocketAddress("127.0.0.1", 1024 + n % 60_000));
    Admission admission = Acceptor.of(hub).admit(h);
    if (!admission.isAdmitted()) {
      throw new IllegalStateException("refused: " + admission);
    }
    return admission;
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
    frames++;
    bytes += frame.length();
    last = frame;
    completion.complete(frame, null);
  }

  /** Answers the close at once, as a peer completing the close handshake. */
  @Override
  public synchronized void close(int code, String reason) {
    if (!closed) {
      closed = true;
      inbound.onClose(code, reason);
    }
  }

  @Override
  public synchronized boolean isOpen() {
    return !closed;
  }

  /** Frames sent to this connection. */
  public long frames() {
    return frames;
  }

  /** Payload bytes sent to this connection. */
  public long bytes() {
    return bytes;
  }

  /** The last frame sent (the same instance every recipient of a broadcast got). */
  public Message last() {
    return last;
  }
}
