/**
 * Serves a Hubcast hub over WebSocket on Netty 4.2: {@link dev.hubcast.netty.HubChannelHandlers}
 * for a pipeline of your own, {@link dev.hubcast.netty.NettyHubServer} for a server of its own.
 *
 * <h2>Threading</h2>
 *
 * <p>The factories and the server are thread-safe; the server's builder is used by one thread. Each
 * connection lives on one event loop: its frames are read there, the hub's handlers run there
 * (unless the hub's config names an executor), and its writes run there, in rounds of one task per
 * loop. The hub sends from any thread without blocking.
 *
 * <h2>On the wire</h2>
 *
 * <p>A broadcast is framed once into a direct buffer shared by every recipient. Netty does the
 * protocol: the {@code WebSocketServerHandshaker13} response (with the subprotocol the hub chose),
 * its frame decoder and UTF-8 validator, the {@code WebSocketFrameAggregator} (1009 over {@code
 * maxMessageBytes}) and the encoder of control frames. The upgrade is admitted by the hub before it
 * happens, with real HTTP statuses for a refusal. The package {@code dev.hubcast.netty.internal} is
 * not API.
 */
package dev.hubcast.netty;
