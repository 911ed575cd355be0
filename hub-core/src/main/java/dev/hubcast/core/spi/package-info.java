/**
 * The transport SPI: what a transport adapter implements ({@link dev.hubcast.core.spi.Connection})
 * and what it calls ({@link dev.hubcast.core.spi.Acceptor}, {@link dev.hubcast.core.spi.Inbound}),
 * with the embedded-server shape ({@link dev.hubcast.core.spi.HubServer}) and the write rounds an
 * adapter may build on ({@link dev.hubcast.core.spi.WriteRounds}). The backplane that joins several
 * nodes into one hub has its own package, {@code dev.hubcast.core.backplane}.
 *
 * <h2>The adapter contract</h2>
 *
 * <ol>
 *   <li>On an upgrade request, build a {@link dev.hubcast.core.Handshake} and call {@link
 *       dev.hubcast.core.spi.Acceptor#admit}. A refusal becomes the HTTP status of the response (no
 *       upgrade). An admission carries the connection id and the handshake with its identity.
 *   <li>After the upgrade, wrap the socket in a {@link dev.hubcast.core.spi.Connection} with that
 *       id and handshake, and call {@link dev.hubcast.core.spi.Acceptor#open}; it returns the
 *       {@link dev.hubcast.core.spi.Inbound} to report to.
 *   <li>Report each complete client message, once, as a {@link dev.hubcast.core.Message}; then the
 *       close (code and reason) exactly once, and errors.
 * </ol>
 *
 * <p>Rules every adapter keeps, checked by {@code hub-testkit}'s {@code TransportCompatibilityKit}:
 *
 * <ul>
 *   <li>{@link dev.hubcast.core.spi.Connection#send} never blocks;
 *   <li>every send's completion runs exactly once, success or failure;
 *   <li>frames to one connection reach the socket in the order they were sent;
 *   <li>{@link dev.hubcast.core.spi.Connection#close} is idempotent, and the close is reported
 *       once;
 *   <li>the adapter buffers nothing without bound: it completes a send when the frame is handed to
 *       the socket, or accepted into a transport buffer that is itself bounded (a socket's send
 *       buffer, Netty's channel below its high-water mark), and fails it when the connection is
 *       gone;
 *   <li>inbound messages larger than {@link dev.hubcast.core.spi.TransportSettings#maxMessageBytes}
 *       are refused with 1009 before they are fully read, text that is not UTF-8 with 1007, and
 *       protocol errors with 1002.
 * </ul>
 *
 * <p>An adapter that writes on another thread than the hub's can queue its writes on {@link
 * dev.hubcast.core.spi.WriteRounds}, which runs them in rounds with one flush per connection per
 * round, scheduled the adapter's way (a task on an event loop, or on a pool after the fan-out).
 */
package dev.hubcast.core.spi;
