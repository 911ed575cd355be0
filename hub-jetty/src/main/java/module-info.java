/**
 * Hubcast's Jetty 12 adapter: a hub mounted on Jetty's core WebSocket, and an embedded server.
 *
 * <p>Exports {@code dev.hubcast.jetty}; the adapter's parts in {@code dev.hubcast.jetty.internal}
 * are not exported.
 */
module dev.hubcast.jetty {
  requires transitive dev.hubcast.core;
  requires transitive org.eclipse.jetty.server;
  requires transitive org.eclipse.jetty.websocket.core.server;
  requires org.eclipse.jetty.http;
  requires org.eclipse.jetty.util;
  requires org.eclipse.jetty.websocket.core.common;
  requires org.slf4j;

  exports dev.hubcast.jetty;
}
