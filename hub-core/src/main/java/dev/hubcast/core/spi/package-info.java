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
 *   <li>On a connection request (a WebSocket upgrade, or a transport's own), build a {@link
 *       dev.hubcast.core.Handshake} and call {@link dev.hubcast.core.spi.Acceptor#admit}. A refusal
 *       becomes the HTTP status of the response, and nothing is registered. An admission carries
 *       the connection id and the handshake with its identity.
 *   <li>Once the connection is established, wrap it in a {@link dev.hubcast.core.spi.Connection}
 *       with that id and handshake, and call {@link dev.hubcast.core.spi.Acceptor#open}; it returns
 *       the {@link dev.hubcast.core.spi.Inbound} to report to.
 *   <li>Report each complete client message, once, as a {@link dev.hubcast.core.Message}; then the
 *       close (code and reason) exactly once, and errors.
 * </ol>
 *
 * <h2>The rules</h2>
 *
 * <p>Every adapter keeps these. {@code hub-testkit}'s {@code TransportCompatibilityKit} checks each
 * one it can reach from outside, and the hub counts what it can see of a broken one in {@link
 * dev.hubcast.core.HubMetrics#transportViolations()} (by rule in {@link
 * dev.hubcast.core.HubMetrics#transportViolationsByRule()}, each logged at WARN once per
 * connection); the hub stays consistent whatever the adapter does.
 *
 * <ol>
 *   <li><b>Re-entrance and threads.</b> The hub may call {@link
 *       dev.hubcast.core.spi.Connection#send} and {@link dev.hubcast.core.spi.Connection#close}
 *       from any thread, and from inside {@link dev.hubcast.core.spi.Acceptor#open}, before it
 *       returns (the application's open handler runs there and may broadcast to the connection or
 *       disconnect it). A connection must accept both from the moment it is passed to {@code open}.
 *   <li><b>{@code send} never blocks</b> and never throws: a frame that cannot be written now is
 *       queued (see rule 5) or failed through its completion ({@link
 *       dev.hubcast.core.HubMetrics.TransportViolation#SEND_THREW} otherwise: the hub treats the
 *       throw as a failed send).
 *   <li><b>Every send completes exactly once</b>, success or failure, and only sends are completed:
 *       a second completion of a frame, or one for a frame never sent, is a violation ({@link
 *       dev.hubcast.core.HubMetrics.TransportViolation#COMPLETION_NOT_IN_FLIGHT}).
 *   <li><b>Order.</b> Frames to one connection reach the client in the order they were sent, and
 *       the client's messages reach {@link dev.hubcast.core.spi.Inbound#onMessage} in the order the
 *       client sent them.
 *   <li><b>Bounded buffers.</b> The adapter completes a send when the frame is handed to the
 *       socket, or accepted into a transport buffer that is itself bounded (a socket's send buffer,
 *       Netty's channel below its high-water mark). A connection whose peer stops reading stops
 *       completing, so that the hub's outbox sees the backlog and applies its slow-consumer policy.
 *   <li><b>Sends pending at the end are failed.</b> When the connection ends, every send not yet
 *       completed is completed with a failure, promptly: within the close timeout of the close
 *       report ({@link
 *       dev.hubcast.core.HubMetrics.TransportViolation#SENDS_UNCOMPLETED_AFTER_CLOSE} otherwise). A
 *       send after the end is failed at once.
 *   <li><b>{@code close} is idempotent</b> and never blocks or throws; a peer that does not answer
 *       the close is dropped after the close timeout ({@link
 *       dev.hubcast.core.spi.TransportSettings#closeTimeout}) ({@link
 *       dev.hubcast.core.HubMetrics.TransportViolation#CLOSE_THREW} for a throw).
 *   <li><b>The close is reported exactly once</b>, whoever closed, and also when the connection
 *       closed during {@code open} (the hub, the application or the peer closed it before {@code
 *       open} returned): report it as soon as {@code open} has returned the {@code Inbound}.
 *       Nothing is reported after it ({@link
 *       dev.hubcast.core.HubMetrics.TransportViolation#CLOSE_REPORTED_TWICE}, {@link
 *       dev.hubcast.core.HubMetrics.TransportViolation#REPORT_AFTER_CLOSE}).
 *   <li><b>A lost connection</b> (no close from the peer: a reset, a dropped stream, a peer silent
 *       past the idle timeout) is reported with 1006 ({@link dev.hubcast.core.CloseCodes#ABNORMAL})
 *       once the adapter notices, which it must within a bounded time (a heartbeat, or the idle
 *       timeout).
 *   <li><b>Oversize messages are refused before they are read in full</b>: a message longer than
 *       {@link dev.hubcast.core.spi.TransportSettings#maxMessageBytes} never reaches {@code
 *       onMessage} ({@link dev.hubcast.core.HubMetrics.TransportViolation#OVERSIZE_MESSAGE}); the
 *       adapter stops reading it once past the limit (by a frame's declared length, a {@code
 *       Content-Length}, or the bytes counted so far) and closes the connection with 1009 ({@link
 *       dev.hubcast.core.CloseCodes#MESSAGE_TOO_BIG}) and {@link
 *       dev.hubcast.core.CloseCodes#tooBigReason}.
 *   <li><b>Text is UTF-8.</b> A text message that is not valid UTF-8 never reaches {@code
 *       onMessage}; the connection is closed with 1007 ({@link
 *       dev.hubcast.core.CloseCodes#INVALID_PAYLOAD}).
 *   <li><b>Connection ids are not secrets.</b> The hub's ids are predictable (a node id and a
 *       counter); they name a connection in logs and targets and must never serve as a credential.
 *       A transport that needs a secret per connection (to tie a client's requests to its stream,
 *       say) mints its own, unguessable ({@link java.security.SecureRandom}), and keeps it off the
 *       hub's logs.
 * </ol>
 *
 * <h2>What is WebSocket-specific</h2>
 *
 * <p>Close codes on the wire, the close handshake, pings, fragments and the protocol errors
 * answered with 1002 ({@link dev.hubcast.core.CloseCodes#PROTOCOL_ERROR}) are WebSocket's. The
 * codes the hub passes to {@code close} and the codes an adapter reports are the WebSocket ones on
 * every transport, so that handlers and metrics read the same everywhere. A transport without them
 * (Server-Sent Events with HTTP POST, say):
 *
 * <ul>
 *   <li>delivers the hub's close code and reason to its client in its own form (an event), if it
 *       can, and otherwise just ends the stream;
 *   <li>reports a client that goes away without a code it can carry as lost, 1006;
 *   <li>refuses an oversize message with its own status (HTTP 413 for a POST) before reading it in
 *       full, and closes the connection with 1009;
 *   <li>refuses a text message that is not UTF-8 with its own status (HTTP 400) and closes the
 *       connection with 1007;
 *   <li>has no 1002: malformed requests get an HTTP status and never reach the hub.
 * </ul>
 *
 * <p>An adapter that writes on another thread than the hub's can queue its writes on {@link
 * dev.hubcast.core.spi.WriteRounds}, which runs them in rounds with one flush per connection per
 * round, scheduled the adapter's way (a task on an event loop, or on a pool after the fan-out).
 */
package dev.hubcast.core.spi;
