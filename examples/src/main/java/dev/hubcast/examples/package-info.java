/**
 * The seed programs in a few lines each: a relay to everyone ({@code BroadcastAll}), to everyone
 * but the sender ({@code BroadcastOthers}), and one that keeps the last ten messages ({@code
 * LastTen}).
 *
 * <p>Each is a {@code main} that starts a hub and a server; the hub is thread-safe, and the
 * programs hold no state of their own.
 */
package dev.hubcast.examples;
