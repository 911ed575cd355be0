/**
 * The example chat: rooms, names, history, presence and private messages over one hub, on Jetty or
 * Netty, on one server or on several sharing a Redis; its page is served from the same port.
 *
 * <p>Its handler runs on the transport's I/O threads, one call at a time per connection; what it
 * shares between connections is thread-safe, and each class says how.
 */
package dev.hubcast.examples.chat;
