package dev.hubcast.jakarta.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.spi.Admission;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint instance of one connection, made by {@link HubConfigurator}; on open it takes the
 * admission the configurator left in the session's user properties, wraps the session in a {@link
 * JakartaConnection} and opens it on the hub. Called by the container, one callback at a time.
 *
 * <p>Public only because Jetty refuses an endpoint class that is not; its instances still come from
 * the configurator alone.
 */
public final class HubEndpoint extends Endpoint {

  private static final Logger log = LoggerFactory.getLogger(HubEndpoint.class);

  /**
   * Tomcat's session property for the timeout of its blocking sends (pings, closes), in ms; other
   * containers ignore it.
   */
  static final String TOMCAT_BLOCKING_SEND_TIMEOUT =
      "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

  private final EndpointState state;
  private volatile JakartaConnection connection;

  HubEndpoint(EndpointState state) {
    this.state = state;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    Object admitted = session.getUserProperties().remove(HubConfigurator.ADMISSION);
    if (!(admitted instanceof Admission) || !((Admission) admitted).isAdmitted()) {
      log.warn("{}: upgrade without the hub's admission (is the filter mapped?); closing", state);
      try {
        session.close(
            new CloseReason(
                CloseReason.CloseCodes.getCloseCode(CloseCodes.POLICY_VIOLATION), "not admitted"));
      } catch (IOException e) {
        log.debug("closing an unadmitted session failed", e);
      }
      return;
    }
    long closeTimeoutMillis = state.settings.closeTimeout().toMillis();
    session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, closeTimeoutMillis);
    // A backstop: the connection's own idle check closes a silent peer; the container's timeout
    // (which counts writes too) only ends one whose writes are stuck as well.
    session.setMaxIdleTimeout(state.settings.idleTimeout().toMillis() + closeTimeoutMillis);
    JakartaConnection c = new JakartaConnection(state, session, (Admission) admitted);
    connection = c;
    // Partial handlers: the connection counts a message's bytes as they come and stops at the
    // limit, where a whole-message handler would have the container buffer it first.
    session.addMessageHandler(String.class, (MessageHandler.Partial<String>) c::onText);
    session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) c::onBinary);
    session.addMessageHandler(
        PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> c.heard());
    c.open();
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    JakartaConnection c = connection;
    if (c != null) {
      c.ended(closeReason.getCloseCode().getCode(), closeReason.getReasonPhrase());
    }
  }

  @Override
  public void onError(Session session, Throwable cause) {
    JakartaConnection c = connection;
    if (c != null) {
      c.error(cause);
    } else {
      log.debug("{}: error before open: {}", state, cause.toString());
    }
  }
}
