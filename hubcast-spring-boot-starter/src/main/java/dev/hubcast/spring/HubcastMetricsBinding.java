package dev.hubcast.spring;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Hub;
import dev.hubcast.micrometer.HubcastMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Binds the hub's meters to the application's meter registry once every singleton exists: the only
 * {@link MeterRegistry} bean, or the primary one (Spring Boot's composite when it makes several),
 * and none if there is no registry. Not a {@code MeterBinder} bean, so that Spring Boot's metrics
 * auto-configuration, when present, does not bind it a second time. Thread-safe: Spring calls it
 * once, on the thread that refreshes the context.
 */
final class HubcastMetricsBinding implements SmartInitializingSingleton {

  private final Hub<?> hub;
  private final ObjectProvider<MeterRegistry> registry;

  HubcastMetricsBinding(Hub<?> hub, ObjectProvider<MeterRegistry> registry) {
    this.hub = requireNonNull(hub, "hub");
    this.registry = requireNonNull(registry, "registry");
  }

  @Override
  public void afterSingletonsInstantiated() {
    MeterRegistry r = registry.getIfUnique();
    if (r != null) {
      new HubcastMetrics(hub).bindTo(r);
    }
  }
}
