/** The event-stream adapter's handlers: not an API, may change in any release. */
package dev.hubcast.sse.internal;
