/**
 * The backplane SPI that joins several nodes into one hub ({@link
 * dev.hubcast.core.backplane.Backplane}, {@link dev.hubcast.core.backplane.Envelope}, {@link
 * dev.hubcast.core.backplane.HistoryStore}), and {@link
 * dev.hubcast.core.backplane.InMemoryBackplane}, which joins hubs in one process (for tests and
 * embedded clusters). A hub takes a backplane through {@code HubConfig.Builder.backplane(Supplier)}
 * and owns what the supplier returns.
 */
package dev.hubcast.core.backplane;
