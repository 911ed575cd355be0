package dev.hubcast.core;

/**
 * The application's code for connection events. Every method is a no-op by default; override the
 * ones you need. Installing a handler replaces the {@link BroadcastPolicy}: the handler decides
 * where each message goes.
 *
 * <pre>{@code
 * HubHandler<String> lastTen = new HubHandler<>() {
 *   public void onOpen(Hub<String> hub, Client client) {
 *     hub.joinAndReplay(client.id(), "chat", 0);          // the room's history first
 *   }
 *   public void onMessage(Hub<String> hub, Client client, String text) {
 *     hub.broadcast(Target.room("chat"), text);
 *   }
 * };
 * }</pre>
 *
 * <p>Threading: for one connection, methods are called one at a time and in order (open, messages,
 * close). They run on the transport's I/O thread for that connection, or on the executor named by
 * {@link HubConfig.Builder#handlerExecutor}; they must not block an I/O thread. Different
 * connections' events run concurrently. An exception thrown by a handler is caught, logged with the
 * connection id (never the payload) and counted; for {@code onOpen} and {@code onMessage} the
 * connection is then closed with 1011, and the others go on unaffected.
 *
 * @param <M> the application's message type
 */
public interface HubHandler<M> {

  /**
   * A connection was admitted and registered. It is registered <em>before</em> this runs, so a
   * broadcast to everyone or to its user, made on another thread, may reach it before or while this
   * runs; a protocol whose first message must be a greeting should mark the connection as greeted
   * (in {@link Client#attributes()}) and target only greeted connections.
   */
  default void onOpen(Hub<M> hub, Client client) {}

  /** A message from a client, decoded. */
  default void onMessage(Hub<M> hub, Client client, M message) {}

  /**
   * A client's message could not be decoded. By default the connection is closed with the
   * exception's close code (1007 for bad text, 1003 for a frame type the codec does not take) and
   * its message as the reason. Override to answer with an error message instead.
   */
  default void onDecodeError(Hub<M> hub, Client client, MessageDecodingException error) {
    hub.disconnect(client.id(), error.closeCode(), error.getMessage());
  }

  /**
   * A client sent a message past its {@link RateLimit}; the message is dropped, undecoded. By
   * default the connection is closed with 1008 (policy violation). Override to answer with an error
   * message instead and keep it open.
   */
  default void onRateLimited(Hub<M> hub, Client client) {
    hub.disconnect(client.id(), CloseCodes.POLICY_VIOLATION, "rate limit exceeded");
  }

  /**
   * A connection has ended and is gone from the registry, its rooms and its user. Called exactly
   * once per opened connection.
   *
   * @param code the close code (1006 when the socket was lost without a close frame)
   */
  default void onClose(Hub<M> hub, Client client, int code, String reason) {}

  /**
   * Another node's broadcasts were lost on the backplane (an outage): {@code missed} envelopes from
   * {@code originNode} will never arrive. Called on the backplane's thread.
   */
  default void onBackplaneGap(Hub<M> hub, String originNode, long missed) {}

  /**
   * Broadcasts to {@code room} were lost on their way to this node and could not be read back from
   * the history store (or there is none): {@code missed} of them will never be delivered here. The
   * room's members on this node have missed them; tell them, so that they can resume that room.
   * Called on a pool thread, holding no lock of the hub's.
   */
  default void onRoomGap(Hub<M> hub, String room, long missed) {}
}
