/**
 * The Netty adapter's handlers: the upgrade with the hub's admission, the session (the hub's {@code
 * Connection}) with its writer and close handshake, the loop's write rounds and the shared wire
 * frames. Not exported by the module; not for applications.
 *
 * <p>Each handler runs on its channel's event loop; what other threads may call (a session's {@code
 * send} and {@code close}, the write rounds' {@code submit}) says so in its Javadoc.
 */
package dev.hubcast.netty.internal;
