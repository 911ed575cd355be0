package dev.hubcast.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Opens the load generator's connections: for a {@code ws://} URL WebSocket connections, each with
 * a {@link WsClientHandler}; for an {@code http://} URL Hubcast event streams, each with a {@link
 * SseClientHandler}, and the publishers' {@code POST} connections ({@link SsePoster}). At most
 * {@link #CONNECTS_IN_FLIGHT} connects and handshakes at a time, spread over loopback source
 * addresses so that no one address runs out of ephemeral ports.
 *
 * <p>{@link #connect} is called by one thread at a time and blocks it; the listeners that count the
 * handshakes run on the channels' event loops.
 */
final class Connector {
  private static final int CONNECTS_IN_FLIGHT = 256;

  private final int perAddress;

  /** Connection {@code i} of a run binds to {@code 127.0.0.(1 + i / perAddress)}. */
  Connector(int perAddress) {
    this.perAddress = perAddress;
  }

  /** Whether {@code url} is an event stream ({@code http://}) rather than a WebSocket. */
  static boolean isEventStream(URI url) {
    return "http".equals(url.getScheme());
  }

  /**
   * Connects {@code count} clients to {@code url} and waits for every handshake: the WebSocket
   * upgrade, or an event stream's {@code hubcast-open}. Connection {@code i} (counted from {@code
   * offset} over the whole run) uses source address {@code 127.0.0.(1 + i / perAddress)} when the
   * server is on loopback. {@code sinks} makes each connection's sink on its event loop; {@code
   * what} ("subscribers", "publishers") names them in the failure.
   *
   * @throws IllegalStateException when a connection fails or the handshakes take over 60 s
   */
  List<Channel> connect(
      Bootstrap bootstrap,
      URI url,
      int count,
      int offset,
      String what,
      Function<Channel, MessageSink> sinks)
      throws Exception {
    boolean sse = isEventStream(url);
    return open(
        bootstrap,
        url,
        count,
        offset,
        what,
        (ch, i, ready) -> {
          if (sse) {
            SseClientHandler.install(ch, url, sinks.apply(ch), ready);
          } else {
            ch.pipeline().addLast(new WsClientHandler(url, sinks.apply(ch), ready));
          }
        });
  }

  /**
   * Opens one {@code POST} connection to the event-stream URL {@code url} per token, connection
   * {@code i} posting as the stream of {@code tokens[i]}, and waits until all are connected; each
   * answer other than 204 adds one to {@code refused}. Source addresses as in {@link #connect}.
   */
  List<Channel> connectPosters(
      Bootstrap bootstrap, URI url, List<String> tokens, int offset, AtomicLong refused)
      throws Exception {
    return open(
        bootstrap,
        url,
        tokens.size(),
        offset,
        "publishers' POST connections",
        (ch, i, ready) -> SsePoster.install(ch, url, tokens.get(i), ready, refused));
  }

  /** Sets up connection {@code i}'s pipeline; it completes {@code ready} once it can be used. */
  private interface Init {
    void init(Channel ch, int i, ChannelPromise ready);
  }

  private List<Channel> open(
      Bootstrap bootstrap, URI url, int count, int offset, String what, Init init)
      throws Exception {
    InetAddress target = InetAddress.getByName(url.getHost());
    InetSocketAddress remote = new InetSocketAddress(target, port(url));
    Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Channel> channels = new ArrayList<>(count);
    for (int i = 0; i < count && failures.isEmpty(); i++) {
      inFlight.acquire();
      int n = offset + i;
      int index = i;
      Bootstrap b =
          bootstrap
              .clone()
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ChannelPromise ready = ch.newPromise();
                      ready.addListener(
                          f -> {
                            inFlight.release();
                            if (!f.isSuccess()) {
                              failures.add(f.cause());
                            }
                          });
                      init.init(ch, index, ready);
                    }
                  });
      ChannelFuture connect;
      int block = n / perAddress;
      if (target.isLoopbackAddress() && block > 0 && target.getAddress().length == 4) {
        if (block > 253) {
          throw new IllegalStateException("too many connections for the loopback source range");
        }
        InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (1 + block)});
        connect = b.connect(remote, new InetSocketAddress(source, 0));
      } else {
        connect = b.connect(remote);
      }
      connect.addListener(
          f -> {
            if (!f.isSuccess()) {
              failures.add(f.cause());
              inFlight.release();
            }
          });
      channels.add(connect.channel());
    }
    // Wait for the last ones: every permit back means every handshake has ended one way or
    // another.
    if (!inFlight.tryAcquire(CONNECTS_IN_FLIGHT, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("handshakes did not complete within 60 s");
    }
    if (!failures.isEmpty()) {
      Throwable first = failures.peek();
      for (Channel c : channels) {
        c.close();
      }
      throw new IllegalStateException(
          failures.size()
              + " of "
              + count
              + " "
              + what
              + " could not connect to "
              + url
              + ": "
              + first,
          first);
    }
    return channels;
  }

  static int port(URI url) {
    return url.getPort() < 0 ? 80 : url.getPort();
  }
}
