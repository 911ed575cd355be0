/**
 * Hubcast's Jakarta WebSocket adapter: a hub served by any servlet container's standard {@code
 * jakarta.websocket} implementation (Tomcat, Jetty ee11, ...), its admission run by a servlet
 * filter before the upgrade.
 *
 * <p>Exports {@code dev.hubcast.jakarta}; the adapter's parts in {@code
 * dev.hubcast.jakarta.internal} are not exported.
 */
module dev.hubcast.jakarta {
  requires transitive dev.hubcast.core;
  requires transitive jakarta.servlet;
  requires transitive jakarta.websocket;
  requires org.slf4j;

  exports dev.hubcast.jakarta;
}
