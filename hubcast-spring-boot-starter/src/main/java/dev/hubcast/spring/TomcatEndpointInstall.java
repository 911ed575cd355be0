package dev.hubcast.spring;

import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Installs the hub on embedded Tomcat after Tomcat's WebSocket initializer ({@code WsSci}) has
 * published the {@code ServerContainer}. Spring Boot adds the initializer that runs its {@code
 * ServletContextInitializer}s to the Tomcat context first, and {@code WsSci} later (from a context
 * customizer), so at that point the container is not there yet. This adds one more servlet
 * container initializer when the context starts ({@code CONFIGURE_START_EVENT}, before Tomcat runs
 * its initializers in order), after every customizer's, {@code WsSci} included. Thread-safe: Spring
 * Boot calls it on the thread that creates the web server.
 */
final class TomcatEndpointInstall
    implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  private final HubcastEndpointInstaller installer;

  TomcatEndpointInstall(HubcastEndpointInstaller installer) {
    this.installer = installer;
  }

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    installer.defer();
    factory.addContextCustomizers(this::addInitializerAtStart);
  }

  private void addInitializerAtStart(Context context) {
    context.addLifecycleListener(
        event -> {
          if (Lifecycle.CONFIGURE_START_EVENT.equals(event.getType())) {
            context.addServletContainerInitializer(
                (classes, servletContext) -> installer.install(servletContext), null);
          }
        });
  }
}
