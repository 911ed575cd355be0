package dev.hubcast.spring;

import dev.hubcast.core.Authenticator;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.OriginPolicy;
import dev.hubcast.core.backplane.Backplane;
import dev.hubcast.jakarta.JakartaHub;
import dev.hubcast.micrometer.HubcastMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.websocket.server.ServerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration for Hubcast: a {@code Hub<String>} built from the {@link HubcastProperties
 * hubcast.*} properties, served at {@code hubcast.path} by the embedded servlet container's Jakarta
 * WebSocket support (Tomcat, or Jetty with {@code spring-boot-starter-jetty}), shut down before the
 * web server stops, and its meters bound to the application's {@code MeterRegistry}. Thread-safe:
 * Spring calls it once, on the thread that refreshes the application context.
 *
 * <ul>
 *   <li>The hub ({@link ConditionalOnMissingBean backs off} when the application defines its own
 *       {@link Hub} bean, which is then the one served and shut down) uses the application's {@link
 *       HubHandler}, {@link Authenticator}, {@link OriginPolicy} and {@link Backplane} beans when
 *       it defines them.
 *   <li>In a servlet web application, the hub is installed with {@link JakartaHub#install} while
 *       the servlet context starts, once the container's WebSocket support has published its {@link
 *       ServerContainer}. Spring Boot runs its {@code ServletContextInitializer}s before the
 *       container's WebSocket set-up, on Tomcat and on Jetty alike: on Tomcat the hub is installed
 *       by a servlet container initializer added behind Tomcat's {@code WsSci}; on Jetty the
 *       initializer starts Jetty's WebSocket support itself (idempotent), then installs. With
 *       {@code hubcast.transport=servlet-upgrade} (or {@code auto} on Tomcat) it is installed with
 *       {@link JakartaHub#installUpgrade} at once instead.
 *   <li>When the context closes, the hub shuts down (clients get 1001) in a lifecycle phase before
 *       the web server's graceful shutdown and stop.
 *   <li>With {@code hub-micrometer} and a {@link MeterRegistry} bean, the hub's {@code hubcast.*}
 *       meters are bound to it ({@link HubcastMetrics}).
 * </ul>
 *
 * <p>{@code hubcast.enabled=false} turns all of it off.
 */
@AutoConfiguration
@ConditionalOnClass(Hub.class)
@ConditionalOnBooleanProperty(name = "hubcast.enabled", matchIfMissing = true)
@EnableConfigurationProperties(HubcastProperties.class)
public class HubcastAutoConfiguration {

  /** Created by Spring Boot. */
  public HubcastAutoConfiguration() {}

  /**
   * The hub: the properties' values, then the application's beans. Closed (after the lifecycle's
   * graceful shutdown, which leaves nothing to wait for) when the context is destroyed.
   */
  @Bean
  @ConditionalOnMissingBean(Hub.class)
  Hub<String> hubcastHub(
      HubcastProperties properties,
      ObjectProvider<HubHandler<String>> handler,
      ObjectProvider<Authenticator> authenticator,
      ObjectProvider<OriginPolicy> originPolicy,
      ObjectProvider<Backplane> backplane) {
    HubConfig.Builder<String> builder = HubConfig.textBuilder();
    properties.applyTo(builder);
    HubHandler<String> h = handler.getIfAvailable();
    if (h != null) {
      builder.handler(h);
    }
    Authenticator a = authenticator.getIfAvailable();
    if (a != null) {
      builder.authenticator(a);
    }
    OriginPolicy o = originPolicy.getIfAvailable();
    if (o != null) {
      if (!properties.getAllowedOrigins().isEmpty()) {
        throw new IllegalStateException(
            "hubcast.allowed-origins: "
                + properties.getAllowedOrigins()
                + " (expected: unset, since an OriginPolicy bean is defined: "
                + o
                + ")");
      }
      builder.originPolicy(o);
    }
    Backplane b = backplane.getIfAvailable();
    if (b != null) {
      builder.backplane(() -> b);
    }
    return Hub.create(builder.build());
  }

  /** Shuts the hub down gracefully before the web server stops. */
  @Bean
  HubcastLifecycle hubcastLifecycle(
      Hub<?> hub, ObjectProvider<HubcastEndpointInstaller> installer) {
    return new HubcastLifecycle(hub, installer);
  }

  /** Serves the hub in a servlet web application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = Type.SERVLET)
  @ConditionalOnClass({ServerContainer.class, ServletContextInitializer.class, JakartaHub.class})
  static class ServletConfiguration {

    @Bean
    HubcastEndpointInstaller hubcastEndpointInstaller(
        Hub<?> hub, HubcastProperties properties, ObjectProvider<WebSocketSupport> support) {
      return new HubcastEndpointInstaller(
          hub, properties.getPath(), support.getIfAvailable(), properties.getTransport());
    }

    @Bean
    ServletContextInitializer hubcastServletContextInitializer(HubcastEndpointInstaller installer) {
      return installer::installIfReady;
    }

    /** On embedded Tomcat: installs the hub after Tomcat's WebSocket initializer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
        name = {
          "org.apache.tomcat.websocket.server.WsSci",
          "org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory"
        })
    static class TomcatConfiguration {

      @Bean
      TomcatEndpointInstall hubcastTomcatEndpointInstall(HubcastEndpointInstaller installer) {
        return new TomcatEndpointInstall(installer);
      }
    }

    /** On embedded Jetty: starts Jetty's Jakarta WebSocket support before installing the hub. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
        name = {
          "org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer",
          "org.eclipse.jetty.ee11.servlet.ServletContextHandler"
        })
    static class JettyConfiguration {

      @Bean
      JettyWebSocketSupport hubcastJettyWebSocketSupport() {
        return new JettyWebSocketSupport();
      }
    }
  }

  /** Binds the hub's meters to the application's meter registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterRegistry.class, HubcastMetrics.class})
  static class MetricsConfiguration {

    @Bean
    HubcastMetricsBinding hubcastMetricsBinding(
        Hub<?> hub, ObjectProvider<MeterRegistry> registry) {
      return new HubcastMetricsBinding(hub, registry);
    }
  }
}
