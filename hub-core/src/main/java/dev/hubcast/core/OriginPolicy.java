package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which browser origins may open a WebSocket, checked before the upgrade: a refused origin gets 403
 * and no connection is registered. This is the defence against cross-site WebSocket hijacking,
 * where a page on another site opens a socket that carries the user's cookies.
 *
 * <p>Immutable and thread-safe; called on the transport's I/O threads.
 *
 * <p>Browsers always send {@code Origin} on a WebSocket handshake; other clients (command-line
 * tools, servers, the JDK's client) usually send none, and cannot be made to carry a victim's
 * cookies. So every policy here lets a handshake <em>without</em> {@code Origin} through, and
 * checks the ones that have it. The opaque origin {@code null} (sandboxed frames, {@code file:}
 * pages) is refused by every policy but {@link #any()}.
 *
 * <p>Origins are compared exactly, after normalising scheme and host to lower case and dropping a
 * default port: {@code https://example.com} matches {@code https://EXAMPLE.com:443} but not {@code
 * https://example.com.evil}, {@code http://example.com}, {@code https://example.com:8443} or {@code
 * https://sub.example.com}.
 */
@FunctionalInterface
public interface OriginPolicy {

  /**
   * Whether a handshake may go on.
   *
   * @param origin the {@code Origin} header, if the client sent one
   * @param handshake the whole handshake (for the {@code Host} header, say)
   */
  boolean allows(Optional<String> origin, Handshake handshake);

  /** Any origin, {@code null} included: only for servers that use no cookies at all. */
  static OriginPolicy any() {
    return (origin, handshake) -> true;
  }

  /**
   * The default: only pages served by this same server, that is an {@code Origin} whose host and
   * port equal the request's {@code Host} header. Loopback names count as one host ({@code
   * http://localhost:8080} may open {@code ws://127.0.0.1:8080}), since both name this machine.
   */
  static OriginPolicy sameOrigin() {
    return SameOrigin.INSTANCE;
  }

  /**
   * Only the listed origins, such as {@code "https://chat.example.com"}.
   *
   * @throws IllegalArgumentException if an entry is not {@code scheme://host[:port]}
   */
  static OriginPolicy allow(String... origins) {
    requireNonNull(origins, "origins");
    Set<String> allowed = new LinkedHashSet<>();
    for (String o : origins) {
      requireNonNull(o, "origin");
      String normal = Origins.normalize(o);
      if (normal == null) {
        throw new IllegalArgumentException(
            "origin: \"" + o + "\" (expected: scheme://host[:port], no path)");
      }
      allowed.add(normal);
    }
    Set<String> frozen = Set.copyOf(allowed);
    return new OriginPolicy() {
      @Override
      public boolean allows(Optional<String> origin, Handshake handshake) {
        if (origin.isEmpty()) {
          return true;
        }
        String normal = Origins.normalize(origin.get());
        return normal != null && frozen.contains(normal);
      }

      @Override
      public String toString() {
        return "OriginPolicy.allow" + allowed;
      }
    };
  }
}

enum SameOrigin implements OriginPolicy {
  INSTANCE;

  @Override
  public boolean allows(Optional<String> origin, Handshake handshake) {
    if (origin.isEmpty()) {
      return true;
    }
    String normal = Origins.normalize(origin.get());
    Optional<String> host = handshake.header("Host");
    if (normal == null || host.isEmpty()) {
      return false;
    }
    String scheme = normal.substring(0, normal.indexOf("://"));
    String hostNormal = Origins.normalize(scheme + "://" + host.get().trim());
    return hostNormal != null
        && (normal.equals(hostNormal)
            || Origins.loopback(normal).equals(Origins.loopback(hostNormal)));
  }

  @Override
  public String toString() {
    return "OriginPolicy.sameOrigin()";
  }
}

final class Origins {
  private Origins() {}

  /**
   * A normalised origin with a loopback host ({@code localhost}, {@code 127.x.y.z}, {@code [::1]})
   * written as {@code localhost}: a page at {@code http://localhost:8080} that opens {@code
   * ws://127.0.0.1:8080} talks to the same server on the same port, so it is the same origin.
   */
  static String loopback(String normal) {
    int hostStart = normal.indexOf("://") + 3;
    int portStart = normal.lastIndexOf(':');
    String host;
    String port;
    if (portStart > hostStart && !normal.endsWith("]")) {
      host = normal.substring(hostStart, portStart);
      port = normal.substring(portStart);
    } else {
      host = normal.substring(hostStart);
      port = "";
    }
    boolean isLoopback =
        host.equals("localhost")
            || host.equals("[::1]")
            || host.matches("127\\.\\d+\\.\\d+\\.\\d+");
    return isLoopback ? normal.substring(0, hostStart) + "localhost" + port : normal;
  }

  /** scheme://host[:port] in lower case without a default port, or null if not such an origin. */
  static String normalize(String origin) {
    String o = origin.trim();
    if (o.isEmpty() || o.equals("null")) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(o);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (scheme == null
        || host == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
      return null;
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    host = host.toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    int defaultPort =
        switch (scheme) {
          case "http", "ws" -> 80;
          case "https", "wss" -> 443;
          default -> -1;
        };
    return scheme + "://" + host + (port == -1 || port == defaultPort ? "" : ":" + port);
  }
}
