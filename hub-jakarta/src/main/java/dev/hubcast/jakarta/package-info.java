/**
 * A Hubcast hub on the standard Jakarta WebSocket API of a servlet container: {@link
 * dev.hubcast.jakarta.JakartaHub#install}.
 */
package dev.hubcast.jakarta;
