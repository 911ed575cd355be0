/**
 * Hubcast over Server-Sent Events with HTTP {@code POST}: {@link dev.hubcast.sse.HubEventStream}
 * serves a hub's connections as event streams beside its WebSocket path on a Netty server. Built
 * only on the core's transport SPI ({@code dev.hubcast.core.spi}).
 */
package dev.hubcast.sse;
