package dev.hubcast.core.spi;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Handshake;
import java.util.Optional;

/**
 * The hub's answer to a handshake: admitted, with the connection's id and its handshake (identity
 * attached), or refused with an HTTP status and reason that the adapter sends instead of upgrading.
 *
 * <p>Immutable and thread-safe.
 */
public final class Admission {

  private final int status;
  private final String reason;
  private final String connectionId;
  private final Handshake handshake;
  private final String subprotocol;

  private Admission(
      int status, String reason, String connectionId, Handshake handshake, String subprotocol) {
    this.status = status;
    this.reason = reason;
    this.connectionId = connectionId;
    this.handshake = handshake;
    this.subprotocol = subprotocol;
  }

  /** Admits a handshake under {@code connectionId}, with no subprotocol. */
  public static Admission admitted(String connectionId, Handshake handshake) {
    return admitted(connectionId, handshake, null);
  }

  /**
   * Admits a handshake under {@code connectionId}, speaking {@code subprotocol} ({@code null} for
   * none), which the adapter names in its {@code Sec-WebSocket-Protocol} response header.
   */
  public static Admission admitted(String connectionId, Handshake handshake, String subprotocol) {
    return new Admission(
        0,
        null,
        requireNonNull(connectionId, "connectionId"),
        requireNonNull(handshake, "handshake"),
        subprotocol);
  }

  /** Refuses with an HTTP status from 400 to 599. */
  public static Admission refused(int status, String reason) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
    }
    return new Admission(status, requireNonNull(reason, "reason"), null, null, null);
  }

  /** Whether the upgrade may go on. */
  public boolean isAdmitted() {
    return status == 0;
  }

  /**
   * The HTTP status of a refusal (401, 403, 429, 503, ...).
   *
   * @throws IllegalStateException if admitted
   */
  public int status() {
    if (isAdmitted()) {
      throw new IllegalStateException("admitted: no refusal status");
    }
    return status;
  }

  /**
   * The subprotocol the connection speaks, chosen from the client's offer; empty for none.
   *
   * @throws IllegalStateException if refused
   */
  public Optional<String> subprotocol() {
    if (!isAdmitted()) {
      throw new IllegalStateException("refused (" + status + "): no subprotocol");
    }
    return Optional.ofNullable(subprotocol);
  }

  /** The reason of a refusal, short and safe to send to the client. */
  public String reason() {
    if (isAdmitted()) {
      throw new IllegalStateException("admitted: no refusal reason");
    }
    return reason;
  }

  /** The id of the admitted connection. */
  public String connectionId() {
    if (!isAdmitted()) {
      throw new IllegalStateException("refused (" + status + "): no connection id");
    }
    return connectionId;
  }

  /** The admitted handshake, with the principal and user the authenticator gave it. */
  public Handshake handshake() {
    if (!isAdmitted()) {
      throw new IllegalStateException("refused (" + status + "): no handshake");
    }
    return handshake;
  }

  @Override
  public String toString() {
    return isAdmitted()
        ? "Admission[admitted " + connectionId + "]"
        : "Admission[refused " + status + ": " + reason + "]";
  }
}
