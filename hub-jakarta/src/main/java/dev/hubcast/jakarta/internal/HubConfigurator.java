package dev.hubcast.jakarta.internal;

import dev.hubcast.core.spi.Admission;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * The container's hooks into the hub's endpoint: each upgrade gets a new {@link HubEndpoint}, the
 * admission {@link AdmissionFilter} made for it in its session's user properties, the subprotocol
 * the hub chose, and no extension. Thread-safe: the container calls it on its request threads,
 * inside the filter chain of the upgrade request.
 */
final class HubConfigurator extends ServerEndpointConfig.Configurator {

  private final EndpointState state;

  HubConfigurator(EndpointState state) {
    this.state = state;
  }

  /** The user property of a session's config that carries its admission to the endpoint. */
  static final String ADMISSION = "dev.hubcast.jakarta.admission";

  @Override
  public <T> T getEndpointInstance(Class<T> endpointClass) {
    // Not always inside the filter chain: Tomcat 11 makes the instance on the upgraded connection.
    return endpointClass.cast(new HubEndpoint(state));
  }

  /**
   * Hands the admission to the session: {@code config} is this upgrade's own copy of the endpoint
   * config (Tomcat's and Jetty's, as Jakarta WebSocket 2.1 requires), whose user properties become
   * the session's. Without an admission (the filter did not run for this request: a path it does
   * not map), the endpoint closes the connection, 1008, without telling the hub.
   */
  @Override
  public void modifyHandshake(
      ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
    Admission admission = AdmissionFilter.PENDING.get();
    if (admission != null) {
      config.getUserProperties().put(ADMISSION, admission);
    } else {
      config.getUserProperties().remove(ADMISSION);
    }
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
