package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.security.Principal;
import java.util.Optional;

/**
 * An {@link Authenticator}'s answer: accept the handshake, possibly with a principal and a user
 * name, or refuse it with an HTTP status that the adapter sends before the upgrade.
 *
 * <p>Immutable and thread-safe.
 */
public final class AuthResult {

  private static final AuthResult ANONYMOUS = new AuthResult(0, null, null, null);

  private final int status;
  private final String reason;
  private final Principal principal;
  private final String user;

  private AuthResult(int status, String reason, Principal principal, String user) {
    this.status = status;
    this.reason = reason;
    this.principal = principal;
    this.user = user;
  }

  /** Accept, with no identity. */
  public static AuthResult anonymous() {
    return ANONYMOUS;
  }

  /** Accept as the user {@code user} (all connections with one user name are one user). */
  public static AuthResult user(String user) {
    return new AuthResult(0, null, null, checkUser(user));
  }

  /** Accept with a principal, as the user {@code user}. */
  public static AuthResult of(Principal principal, String user) {
    return new AuthResult(0, null, requireNonNull(principal, "principal"), checkUser(user));
  }

  /** Refuse with 401 Unauthorized: no credentials, or bad ones. */
  public static AuthResult unauthorized(String reason) {
    return refuse(401, reason);
  }

  /** Refuse with 403 Forbidden: known, but not allowed. */
  public static AuthResult forbidden(String reason) {
    return refuse(403, reason);
  }

  /**
   * Refuse with an HTTP status from 400 to 499.
   *
   * @param reason a short text for the response body; never put the token in it
   */
  public static AuthResult refuse(int status, String reason) {
    if (status < 400 || status > 499) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400-499)");
    }
    return new AuthResult(status, requireNonNull(reason, "reason"), null, null);
  }

  private static String checkUser(String user) {
    requireNonNull(user, "user");
    if (user.isEmpty()) {
      throw new IllegalArgumentException("user: \"\" (expected: a non-empty name)");
    }
    return user;
  }

  /** Whether the handshake may go on. */
  public boolean isAccepted() {
    return status == 0;
  }

  /** The HTTP status of a refusal; {@code 0} when accepted. */
  public int status() {
    return status;
  }

  /** The reason of a refusal. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** The accepted principal. */
  public Optional<Principal> principal() {
    return Optional.ofNullable(principal);
  }

  /** The accepted user name. */
  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  @Override
  public String toString() {
    return isAccepted()
        ? "AuthResult[accepted" + (user == null ? "" : ", user=" + user) + "]"
        : "AuthResult[refused " + status + ": " + reason + "]";
  }
}
