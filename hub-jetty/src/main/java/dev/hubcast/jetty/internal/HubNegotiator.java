package dev.hubcast.jetty.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Handshake;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.TransportSettings;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;

/**
 * Turns a WebSocket upgrade request into a hub admission: a refusal is answered with its HTTP
 * status before any upgrade; an admission gets a {@link JettyConnection} and the hub's limits.
 * Thread-safe: Jetty calls it on its request threads.
 *
 * <p>Its only state is the acceptor and the write rounds its connections share: one per available
 * processor, made on the first upgrade, connections assigned in turn.
 */
public final class HubNegotiator implements WebSocketNegotiator {

  /**
   * Data frames Jetty may hold for one connection before it fails further sends. The hub's outbox
   * hands a connection far fewer frames at a time (it waits for completions), so this only guards
   * against a broken caller; Jetty's own default is unlimited.
   */
  static final int MAX_OUTGOING_FRAMES = 1024;

  private final Acceptor acceptor;
  private final AtomicInteger nextRounds = new AtomicInteger();
  private volatile JettyWriteRounds[] rounds; // made on the first upgrade, on Jetty's executor

  public HubNegotiator(Acceptor acceptor) {
    this.acceptor = requireNonNull(acceptor, "acceptor");
  }

  /**
   * The write rounds for a new connection: one per available processor, taken in turn, so that the
   * writes of a broadcast are spread over as many threads as there are cores.
   */
  private JettyWriteRounds roundsFor(Executor executor) {
    JettyWriteRounds[] all = rounds;
    if (all == null) {
      synchronized (this) {
        all = rounds;
        if (all == null) {
          all = new JettyWriteRounds[Math.max(1, Runtime.getRuntime().availableProcessors())];
          for (int i = 0; i < all.length; i++) {
            all[i] = new JettyWriteRounds(executor, acceptor);
          }
          rounds = all;
        }
      }
    }
    return all[Math.floorMod(nextRounds.getAndIncrement(), all.length)];
  }

  @Override
  public FrameHandler negotiate(
      ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
    Admission admission = acceptor.admit(handshakeOf(request));
    if (!admission.isAdmitted()) {
      refuse(response, callback, admission.status(), admission.reason());
      return null; // handled: no upgrade
    }
    // No permessage-deflate: it would compress every broadcast once per recipient.
    response.setExtensions(List.of());
    admission.subprotocol().ifPresent(response::setAcceptedSubProtocol);
    return new JettyConnection(
        admission.connectionId(),
        admission.handshake(),
        acceptor,
        request.getComponents().getScheduler(),
        roundsFor(request.getComponents().getExecutor()));
  }

  @Override
  public void customize(Configuration configuration) {
    TransportSettings settings = acceptor.settings();
    int max = settings.maxMessageBytes();
    configuration.setMaxFrameSize(max);
    configuration.setMaxTextMessageSize(max);
    configuration.setMaxBinaryMessageSize(max);
    // Inbound frames over the frame size come as fragments, whose sum MessageAssembler checks;
    // outbound frames over it go out as fragments, slices of the same buffer.
    configuration.setAutoFragment(true);
    configuration.setMaxOutgoingFrames(MAX_OUTGOING_FRAMES);
    // IdleCheck closes connections silent for the idle timeout. Jetty's own timeout counts
    // writes too (our pings), so it only ends connections whose writes are stuck as well.
    configuration.setIdleTimeout(settings.idleTimeout().plus(settings.closeTimeout()));
  }

  static Handshake handshakeOf(Request request) {
    HttpURI uri = request.getHttpURI();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HttpField field : request.getHeaders()) {
      headers.computeIfAbsent(field.getName(), k -> new ArrayList<>(1)).add(field.getValue());
    }
    return Handshake.of(uri.getPath(), uri.getQuery(), headers, remoteAddress(request));
  }

  private static InetSocketAddress remoteAddress(Request request) {
    SocketAddress address = request.getConnectionMetaData().getRemoteSocketAddress();
    if (address instanceof InetSocketAddress) {
      return (InetSocketAddress) address;
    }
    return InetSocketAddress.createUnresolved(
        Request.getRemoteAddr(request), Math.max(0, Request.getRemotePort(request)));
  }

  private static void refuse(
      ServerUpgradeResponse response, Callback callback, int status, String reason) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, BufferUtil.toBuffer(reason + "\n", StandardCharsets.UTF_8), callback);
  }

  @Override
  public String toString() {
    return "HubNegotiator[" + acceptor + "]";
  }
}
