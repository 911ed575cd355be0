package dev.hubcast.netty;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a handler on a hub's pipeline reads from an HTTP request to build its {@link
 * dev.hubcast.core.Handshake}: the target's path and query, the headers, the peer's address. The
 * WebSocket upgrade and {@code hub-sse}'s event streams read requests the same way, so a hub admits
 * a client alike on either.
 *
 * <p>Thread-safe: stateless static methods.
 */
public final class HttpRequests {

  private HttpRequests() {}

  /**
   * A request target's path and raw query (without {@code ?}; empty when there is none).
   *
   * @param path the path, {@code /} for an absolute-form target without one
   * @param query the raw query, not decoded
   */
  public record Target(String path, String query) {
    /** Checks that neither part is null. */
    public Target {
      requireNonNull(path, "path");
      requireNonNull(query, "query");
    }
  }

  /**
   * Splits a request target, in origin form ({@code /ws?room=a}) or absolute form ({@code
   * http://host/ws?room=a}); a fragment is dropped.
   */
  public static Target target(String uri) {
    String u = requireNonNull(uri, "uri");
    int hash = u.indexOf('#');
    if (hash >= 0) {
      u = u.substring(0, hash);
    }
    int scheme = u.indexOf("://");
    if (scheme > 0 && scheme < u.indexOf('/') + 1) {
      int slash = u.indexOf('/', scheme + 3);
      u = slash < 0 ? "/" : u.substring(slash);
    }
    int q = u.indexOf('?');
    return q < 0 ? new Target(u, "") : new Target(u.substring(0, q), u.substring(q + 1));
  }

  /** The request's headers, each name with its values in order, as a handshake takes them. */
  public static Map<String, List<String>> headers(HttpRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : request.headers()) {
      headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>(1)).add(h.getValue());
    }
    return headers;
  }

  /**
   * The peer's address; for a channel that is not on IP (a local or embedded channel), an
   * unresolved address named after it, port 0.
   */
  public static InetSocketAddress remoteAddress(Channel channel) {
    SocketAddress remote = channel.remoteAddress();
    if (remote instanceof InetSocketAddress inet) {
      return inet;
    }
    return InetSocketAddress.createUnresolved(String.valueOf(remote), 0);
  }
}
