/** The Jakarta WebSocket adapter's parts; not an API. */
package dev.hubcast.jakarta.internal;
