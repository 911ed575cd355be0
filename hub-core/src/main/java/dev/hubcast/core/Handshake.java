package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a client sent in its WebSocket upgrade request, plus the identity the {@link Authenticator}
 * gave it: path, query, headers, remote address, principal and user name.
 *
 * <p>Immutable and thread-safe. Header names are case-insensitive: {@link #header} takes any case,
 * and {@link #headers()} holds them in lower case. Adapters build one with {@link #of} from the
 * upgrade request; the hub adds the identity with {@link #withIdentity}.
 */
public final class Handshake {

  /**
   * Headers that only serve the upgrade itself; they are not kept, since every connection would
   * carry them for its whole life and no application needs them.
   */
  private static final Set<String> UPGRADE_ONLY =
      Set.of(
          "upgrade",
          "connection",
          "sec-websocket-key",
          "sec-websocket-version",
          "sec-websocket-extensions",
          "content-length");

  private final String path;
  private final String rawQuery;
  private final Map<String, List<String>> queryParams;
  private final Map<String, List<String>> headers;
  private final InetSocketAddress remoteAddress;
  private final Principal principal;
  private final String user;

  private Handshake(
      String path,
      String rawQuery,
      Map<String, List<String>> queryParams,
      Map<String, List<String>> headers,
      InetSocketAddress remoteAddress,
      Principal principal,
      String user) {
    this.path = path;
    this.rawQuery = rawQuery;
    this.queryParams = queryParams;
    this.headers = headers;
    this.remoteAddress = remoteAddress;
    this.principal = principal;
    this.user = user;
  }

  /**
   * A handshake as an adapter saw it.
   *
   * @param path the request path, without the query
   * @param rawQuery the query string without {@code ?}, still percent-encoded; {@code null} or
   *     empty for none
   * @param headers the request headers (names in any case; values in order); those that only serve
   *     the upgrade ({@code Upgrade}, {@code Connection}, {@code Sec-WebSocket-Key}, {@code
   *     -Version}, {@code -Extensions}, {@code Content-Length}) are not kept
   * @param remoteAddress the client's address
   */
  public static Handshake of(
      String path,
      String rawQuery,
      Map<String, ? extends List<String>> headers,
      InetSocketAddress remoteAddress) {
    requireNonNull(path, "path");
    requireNonNull(headers, "headers");
    requireNonNull(remoteAddress, "remoteAddress");
    String query = rawQuery == null ? "" : rawQuery;
    // Kept for the connection's whole life, so compactly: names in lower case (HTTP names are
    // case-insensitive), immutable maps and lists sized to what they hold.
    Map<String, List<String>> h = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (!UPGRADE_ONLY.contains(lower)) {
            h.merge(
                lower,
                List.copyOf(values),
                (a, b) -> {
                  List<String> both = new ArrayList<>(a);
                  both.addAll(b);
                  return List.copyOf(both);
                });
          }
        });
    return new Handshake(path, query, parseQuery(query), Map.copyOf(h), remoteAddress, null, null);
  }

  private static Map<String, List<String>> parseQuery(String query) {
    if (query.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    params.replaceAll((k, v) -> List.copyOf(v));
    return Collections.unmodifiableMap(params);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // a malformed escape stays as sent; the application sees the raw text
    }
  }

  /** This handshake with the identity an authenticator gave it. */
  public Handshake withIdentity(Principal principal, String user) {
    return new Handshake(path, rawQuery, queryParams, headers, remoteAddress, principal, user);
  }

  /** The request path, without the query. */
  public String path() {
    return path;
  }

  /** The query string as sent, without {@code ?}; empty for none. */
  public String rawQuery() {
    return rawQuery;
  }

  /** The decoded query parameters, in order; unmodifiable. */
  public Map<String, List<String>> queryParams() {
    return queryParams;
  }

  /** The first value of a query parameter. */
  public Optional<String> queryParam(String name) {
    List<String> values = queryParams.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The request headers, names in lower case; unmodifiable. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header, by case-insensitive name. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The {@code Origin} header, which browsers send and most other clients do not. */
  public Optional<String> origin() {
    return header("Origin");
  }

  /**
   * Where a client that reconnects on its own says it stands: the {@link RoomMark} in its {@code
   * Last-Event-ID} header, which a browser's {@code EventSource} sends with the id of the last
   * event it got (a transport that gives each room broadcast its mark as the id, as Server-Sent
   * Events does, makes it one). Empty without the header, or if it does not hold a mark. An
   * application that puts connections into rooms resumes from it with {@link Hub#joinAndResume}.
   */
  public Optional<RoomMark> lastEventMark() {
    return header("Last-Event-ID").flatMap(RoomMark::tryParse);
  }

  /**
   * The subprotocols the client asked for in {@code Sec-WebSocket-Protocol}, in its order of
   * preference; empty if it asked for none. The hub picks one of {@link HubConfig#subprotocols()}.
   */
  public List<String> subprotocols() {
    List<String> values = headers.get("sec-websocket-protocol");
    if (values == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    }
    return List.copyOf(out);
  }

  /** The client's address. */
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  /** The principal the authenticator attached, if any. */
  public Optional<Principal> principal() {
    return Optional.ofNullable(principal);
  }

  /** The user name the authenticator attached, if any. */
  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  /** Path, remote address and user; never header values, which may hold tokens. */
  @Override
  public String toString() {
    return "Handshake[path="
        + path
        + ", remote="
        + remoteAddress
        + (user == null ? "" : ", user=" + user)
        + "]";
  }
}
