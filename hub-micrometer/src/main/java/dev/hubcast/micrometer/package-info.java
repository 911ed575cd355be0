/**
 * Hubcast's meters for Micrometer: {@link dev.hubcast.micrometer.HubcastMetrics} binds a hub's
 * counters to any {@link io.micrometer.core.instrument.MeterRegistry} (Prometheus, OTLP, JMX...).
 *
 * <p>Thread-safe: the binder is immutable, and its meters read the hub on the registry's threads.
 */
package dev.hubcast.micrometer;
