package dev.hubcast.jakarta.internal;

import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.jakarta.JakartaHubEndpoint;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.EnumSet;
import java.util.List;

/** Registers the admission filter and the endpoint of a hub. Stateless; thread-safe. */
public final class EndpointInstaller {

  private EndpointInstaller() {}

  /** See {@code JakartaHub.install}. */
  public static JakartaHubEndpoint install(
      ServletContext context, ServerContainer container, Acceptor acceptor, String path) {
    checkPath(path);
    EndpointState state = new EndpointState(path, acceptor);
    FilterRegistration.Dynamic filter =
        context.addFilter("hubcast-admission " + path, new AdmissionFilter(state));
    if (filter == null) {
      throw new IllegalStateException("path: \"" + path + "\" (a hub is installed there already)");
    }
    filter.setAsyncSupported(true);
    // isMatchAfter=false: before the filters already mapped, among them the container's own
    // upgrade filter (Jetty adds its WebSocketUpgradeFilter before the application's code runs).
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, path);
    // An exact mapping wins over an application's servlet at "/"; one already at the path stays.
    ServletRegistration.Dynamic servlet =
        context.addServlet("hubcast-upgrade " + path, new UpgradeRequiredServlet());
    if (servlet != null) {
      servlet.addMapping(path);
    }
    ServerEndpointConfig config =
        ServerEndpointConfig.Builder.create(HubEndpoint.class, path)
            .configurator(new HubConfigurator(state))
            .extensions(List.of())
            .build();
    try {
      container.addEndpoint(config);
    } catch (DeploymentException e) {
      state.close();
      throw new IllegalStateException("path: \"" + path + "\": " + e.getMessage(), e);
    }
    return state;
  }

  /** See {@code JakartaHub.installUpgrade}. */
  public static JakartaHubEndpoint installUpgrade(
      ServletContext context, Acceptor acceptor, String path) {
    checkPath(path);
    UpgradeEndpoint endpoint = new UpgradeEndpoint(path, acceptor);
    ServletRegistration.Dynamic servlet =
        context.addServlet("hubcast-upgrade " + path, new UpgradeServlet(endpoint));
    if (servlet == null) {
      endpoint.close();
      throw new IllegalStateException("path: \"" + path + "\" (a hub is installed there already)");
    }
    servlet.setAsyncSupported(true);
    java.util.Set<String> taken = servlet.addMapping(path);
    if (!taken.isEmpty()) {
      endpoint.close();
      throw new IllegalStateException(
          "path: \"" + path + "\" (another servlet is mapped there: " + taken + ")");
    }
    return endpoint;
  }

  private static void checkPath(String path) {
    if (!path.startsWith("/") || path.indexOf('*') >= 0 || path.indexOf('{') >= 0) {
      throw new IllegalArgumentException(
          "path: \"" + path + "\" (expected: an exact path such as \"/ws\")");
    }
  }
}
