package dev.hubcast.sse;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.HubServer;
import dev.hubcast.sse.internal.EventStreamHandler;
import dev.hubcast.sse.internal.StreamRegistry;
import io.netty.channel.ChannelHandler;

/**
 * Serves a {@link Hub} as Server-Sent Events with HTTP {@code POST}, on the same Netty server and
 * port as its WebSocket: for clients behind proxies and networks that break WebSockets.
 * Thread-safe; each handler it makes belongs to one channel and runs on its event loop.
 *
 * <pre>{@code
 * HubEventStream sse = HubEventStream.create(hub, "/sse");
 * NettyHubServer server = NettyHubServer.builder(hub)
 *     .path("/ws")                                   // WebSocket, as before
 *     .streamingHttpHandler(sse::newHandler)         // and event streams at /sse
 *     .start();
 * }</pre>
 *
 * <h2>The protocol</h2>
 *
 * <ul>
 *   <li>{@code GET /sse?query} opens a stream. The hub admits it exactly as a WebSocket upgrade
 *       (origin policy, authenticator, caps; the query and headers reach {@link
 *       dev.hubcast.core.Handshake}); a refusal is its HTTP status with the reason as text. An
 *       admitted stream is {@code 200 text/event-stream}, and its first event is {@code
 *       hubcast-open}, whose data is the stream's token.
 *   <li>Each hub message is one event: a text without a carriage return is a plain event (the
 *       browser's {@code EventSource} gives it to {@code onmessage}), one {@code data:} line per
 *       line; any other text is a {@code hubcast-text} event and a binary message a {@code
 *       hubcast-binary} event, base64 on one line. A room broadcast's event has its {@link
 *       dev.hubcast.core.RoomMark} as its {@code id}.
 *   <li>{@code POST /sse} with the header {@code Hubcast-Token: <token>} brings one message: {@code
 *       text/plain} (UTF-8; the default) or {@code application/octet-stream}. Answers: 204 when
 *       taken; 403 when the token is unknown, the request's {@code Authorization} differs from the
 *       stream's, or its {@code Origin} differs from the stream's (a stream opened without one, as
 *       a browser's same-origin {@code EventSource} is, takes a {@code POST} whose origin passes
 *       the hub's origin policy): no one can post as someone else; 413 as soon as the body passes
 *       the hub's {@code maxMessageBytes}, before it is read in full, and the stream closes with
 *       1009; 400 for text that is not UTF-8, and the stream closes with 1007; 415 for another
 *       content type. Messages are reported to the hub in the order their {@code POST}s arrive: a
 *       client that needs its order kept sends one at a time.
 *   <li>The hub's close is a last {@code hubcast-close} event, {@code code reason}, then the end of
 *       the response. A stream the client drops (or that fails) is reported as 1006.
 *   <li>A comment line is sent every ping interval (half the hub's idle timeout) in which nothing
 *       else was: proxies keep the stream, and a dead peer is found when the write fails. The idle
 *       timeout itself does not apply: a stream carries nothing from the client.
 *   <li>When {@code EventSource} reconnects by itself it sends the last event id as {@code
 *       Last-Event-ID}; the application reads it with {@link
 *       dev.hubcast.core.Handshake#lastEventMark()} and resumes with {@link Hub#joinAndResume}.
 * </ul>
 *
 * <p>Sends never block and complete once, in order; a stream's unsent bytes are bounded by the
 * channel's high-water mark, past which the hub's outbox and its slow-consumer policy take over,
 * exactly as on the WebSocket adapter. The token is 128 random bits and is not the connection id.
 */
public final class HubEventStream {

  private final Acceptor acceptor;
  private final OriginPolicy origins;
  private final String path;
  private final StreamRegistry registry = new StreamRegistry();

  private HubEventStream(Acceptor acceptor, OriginPolicy origins, String path) {
    this.acceptor = acceptor;
    this.origins = origins;
    this.path = path;
  }

  /**
   * Event streams of {@code hub} at {@code path}.
   *
   * @param path the exact request path, such as {@code /sse}: starts with {@code /}, no query
   * @throws IllegalArgumentException naming the path if it is not one
   */
  public static HubEventStream create(Hub<?> hub, String path) {
    requireNonNull(hub, "hub");
    return new HubEventStream(
        Acceptor.of(hub), hub.config().originPolicy(), HubServer.checkPath(path));
  }

  /**
   * A new handler for one channel: put it right after the {@code HttpServerCodec}, before any
   * {@code HttpObjectAggregator} ({@code NettyHubServer.Builder#streamingHttpHandler} does).
   */
  public ChannelHandler newHandler() {
    return new EventStreamHandler(acceptor, origins, path, registry);
  }

  /** The path the streams are served at. */
  public String path() {
    return path;
  }

  /** How many streams are open now. */
  public int openStreams() {
    return registry.size();
  }

  @Override
  public String toString() {
    return "HubEventStream[" + path + ", " + registry.size() + " open]";
  }
}
