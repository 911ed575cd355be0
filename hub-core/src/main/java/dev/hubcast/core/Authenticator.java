package dev.hubcast.core;

/**
 * Decides, before the WebSocket upgrade, whether a handshake may become a connection, and who it
 * is. A refusal becomes the HTTP status of the upgrade response (401, 403, ...); no connection is
 * registered.
 *
 * <p>Called on the transport's I/O thread, concurrently for different handshakes: implementations
 * must be thread-safe and must not block (check a signed token, not a remote service). An exception
 * thrown here refuses the handshake with 500 and is logged without the request's headers.
 *
 * <pre>{@code
 * Authenticator byToken = handshake -> handshake.queryParam("token")
 *     .flatMap(tokens::userFor)
 *     .map(AuthResult::user)
 *     .orElse(AuthResult.unauthorized("missing or unknown token"));
 * }</pre>
 */
@FunctionalInterface
public interface Authenticator {

  /** Accepts everyone, anonymously. The default. */
  static Authenticator anonymous() {
    return handshake -> AuthResult.anonymous();
  }

  /** Decides on one handshake. */
  AuthResult authenticate(Handshake handshake);
}
