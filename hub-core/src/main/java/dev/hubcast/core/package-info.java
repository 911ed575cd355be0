/**
 * The application's API: a {@link dev.hubcast.core.Hub} built from a {@link
 * dev.hubcast.core.HubConfig}, the {@link dev.hubcast.core.HubHandler} that reacts to its
 * connections, the {@link dev.hubcast.core.Target}s it broadcasts to, the {@link
 * dev.hubcast.core.MessageCodec} that encodes each message once, and the receipts, metrics and
 * handshake checks around them.
 *
 * <h2>Threading</h2>
 *
 * <p>Every type here is thread-safe or immutable unless its documentation says otherwise (the
 * builders). Codecs run on the broadcasting thread (encode) and on the transport's I/O thread
 * (decode). Handlers run on the transport's I/O thread for their connection, or on the config's
 * handler executor, one at a time per connection. Send completions and outbox accounting run on
 * whichever thread the transport completes on. Timers (shutdown deadlines, the wait for a missing
 * room number) run on the JDK's delayed executor. Only {@link dev.hubcast.core.Hub#close()} blocks.
 *
 * <p>Two types, one message: a codec has one message type for both directions. When clients send
 * other things than the server broadcasts, make {@code M} a sealed interface with a record per kind
 * (the example chat's {@code ChatMessage} does this), and decode only the inbound kinds.
 */
package dev.hubcast.core;
