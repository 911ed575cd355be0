package dev.hubcast.testkit;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of an {@link InMemoryTransport} connection. Thread-safe: its state is guarded by
 * its monitor, inbound reports by {@code inboundLock}; callbacks run outside of the monitor.
 */
final class InMemoryConnection implements Connection {
  private final String id;
  private final Handshake handshake;
  private final InMemoryClient client;
  private final Object inboundLock = new Object(); // one inbound report at a time
  private Inbound inbound; // guarded by inboundLock
  private final ArrayDeque<Message> unread = new ArrayDeque<>(); // guarded by this
  private final ArrayDeque<SendCompletion> unreadCompletions = new ArrayDeque<>();
  private boolean paused; // guarded by this
  private boolean open = true; // guarded by this
  private boolean reported; // guarded by inboundLock
  private int closeCode; // guarded by inboundLock
  private String closeReason; // guarded by inboundLock

  InMemoryConnection(String id, Handshake handshake, InMemoryClient client) {
    this.id = id;
    this.handshake = handshake;
    this.client = client;
  }

  void opened(Inbound inbound) {
    synchronized (inboundLock) {
      this.inbound = inbound;
      if (closeCode != 0 && !reported) {
        // Closed while the hub was still opening it: report now that there is a sink.
        reported = true;
        inbound.onClose(closeCode, closeReason);
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
      if (!open) {
        deliver = false;
      } else if (paused) {
        unread.add(frame);
        unreadCompletions.add(completion);
        return;
      } else {
        deliver = true;
      }
    }
    if (deliver) {
      client.deliver(frame);
      completion.complete(frame, null);
    } else {
      completion.complete(frame, new ClosedChannelException());
    }
  }

  void pause() {
    synchronized (this) {
      paused = true;
    }
  }

  void resume() {
    while (true) {
      Message frame;
      SendCompletion completion;
      synchronized (this) {
        frame = unread.poll();
        completion = unreadCompletions.poll();
        if (frame == null) {
          paused = false;
          return;
        }
      }
      client.deliver(frame);
      completion.complete(frame, null);
    }
  }

  @Override
  public void close(int code, String reason) {
    if (end()) {
      // The client answers the close at once, as a well-behaved peer does.
      client.closed(code, reason);
      report(code, reason);
    }
  }

  void clientClosed(int code, String reason) {
    if (end()) {
      client.closed(code, reason);
      report(code, reason);
    }
  }

  void refuseOversize(int maxMessageBytes) {
    close(CloseCodes.MESSAGE_TOO_BIG, CloseCodes.tooBigReason(maxMessageBytes));
  }

  /** Marks the connection closed and fails unread sends; true for the first call only. */
  private boolean end() {
    List<Message> frames;
    List<SendCompletion> completions;
    synchronized (this) {
      if (!open) {
        return false;
      }
      open = false;
      frames = new ArrayList<>(unread);
      completions = new ArrayList<>(unreadCompletions);
      unread.clear();
      unreadCompletions.clear();
    }
    for (int i = 0; i < frames.size(); i++) {
      completions.get(i).complete(frames.get(i), new ClosedChannelException());
    }
    return true;
  }

  void receive(Message frame) {
    synchronized (this) {
      if (!open) {
        return;
      }
    }
    synchronized (inboundLock) {
      if (!reported) {
        inbound.onMessage(frame);
      }
    }
  }

  private void report(int code, String reason) {
    synchronized (inboundLock) {
      closeCode = code;
      closeReason = reason;
      if (!reported && inbound != null) {
        reported = true;
        inbound.onClose(code, reason);
      }
    }
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }
}
