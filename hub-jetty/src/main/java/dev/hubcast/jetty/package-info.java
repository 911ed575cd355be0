/**
 * Hubcast on Jetty 12: {@link dev.hubcast.jetty.HubWebSocket} binds a hub to a Jetty server you run
 * (a handler, or a mapping for your own {@code WebSocketUpgradeHandler}), and {@link
 * dev.hubcast.jetty.JettyHubServer} is a small embedded server with a WebSocket path and optional
 * static files. Connections use Jetty's core WebSocket API, so a broadcast is encoded once and
 * every recipient sends a view of the same bytes. Threading: everything here is thread-safe but
 * {@link dev.hubcast.jetty.JettyHubServer.Builder}; Jetty reports a connection's frames on its own
 * threads, one at a time, where the hub's handlers run unless the hub's config names a handler
 * executor, and the hub's writes go out on Jetty's executor, in rounds after each fan-out.
 */
package dev.hubcast.jetty;
