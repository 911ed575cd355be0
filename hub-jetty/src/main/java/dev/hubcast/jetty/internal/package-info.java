/**
 * The Jetty adapter's implementation, not an API: it may change in any release. {@link
 * dev.hubcast.jetty.internal.HubNegotiator} is public only so that {@code dev.hubcast.jetty} can
 * hand it to Jetty. Each class states its threading.
 */
package dev.hubcast.jetty.internal;
