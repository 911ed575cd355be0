/**
 * Hubcast's Netty 4.2 adapter: a hub behind Netty's HTTP codec, and an embedded server.
 *
 * <p>Exports {@code dev.hubcast.netty}; the adapter's handlers in {@code
 * dev.hubcast.netty.internal} are not exported.
 */
module dev.hubcast.netty {
  requires transitive dev.hubcast.core;
  requires transitive io.netty.transport;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.classes.io_uring;
  requires org.slf4j;

  exports dev.hubcast.netty;
}
