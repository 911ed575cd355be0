/**
 * A small static-file handler for Netty, which serves the chat's page next to the hub's WebSocket
 * path (Jetty's server uses Jetty's own {@code ResourceHandler}).
 *
 * <p>The handler is sharable and thread-safe; it runs on the event loop of each connection it
 * serves.
 */
package dev.hubcast.examples.web;
