package dev.hubcast.jakarta.internal;

import dev.hubcast.core.spi.Admission;
import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * The container's hooks into the hub's endpoint: each upgrade gets a new {@link HubEndpoint}
 * carrying the admission {@link AdmissionFilter} made for it, the subprotocol the hub chose, and no
 * extension. Thread-safe: the container calls it on its request threads, inside the filter chain of
 * the upgrade request.
 */
final class HubConfigurator extends ServerEndpointConfig.Configurator {

  private final EndpointState state;

  HubConfigurator(EndpointState state) {
    this.state = state;
  }

  @Override
  public <T> T getEndpointInstance(Class<T> endpointClass) {
    // null when the filter did not run for this request (a path the filter does not map): the
    // endpoint then closes the connection, 1008, without telling the hub.
    return endpointClass.cast(new HubEndpoint(state, AdmissionFilter.PENDING.get()));
  }

  @Override
  public boolean checkOrigin(String originHeaderValue) {
    return true; // the hub's OriginPolicy ran in the filter, with its own status
  }

  @Override
  public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
    Admission admission = AdmissionFilter.PENDING.get();
    return admission == null ? "" : admission.subprotocol().orElse("");
  }

  @Override
  public List<Extension> getNegotiatedExtensions(
      List<Extension> installed, List<Extension> requested) {
    // No permessage-deflate: it would compress every broadcast once per recipient.
    return List.of();
  }
}
