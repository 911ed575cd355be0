package dev.hubcast.core;

/**
 * A client's message could not be decoded: text that is not UTF-8 (close 1007), a kind of frame the
 * codec does not take (1003), or content the application's codec rejects (1007 unless the codec
 * says otherwise).
 *
 * <p>Immutable once thrown; safe to pass between threads. Its message is sent to the client as the
 * close reason, so it must not hold the payload.
 */
public class MessageDecodingException extends HubException {
  private static final long serialVersionUID = 1L;

  /** A decoding failure closed with {@link CloseCodes#INVALID_PAYLOAD}. */
  public MessageDecodingException(String message) {
    this(CloseCodes.INVALID_PAYLOAD, message, null);
  }

  /** A decoding failure closed with {@link CloseCodes#INVALID_PAYLOAD}, with a cause. */
  public MessageDecodingException(String message, Throwable cause) {
    this(CloseCodes.INVALID_PAYLOAD, message, cause);
  }

  /** A decoding failure closed with {@code closeCode}. */
  public MessageDecodingException(int closeCode, String message, Throwable cause) {
    super(closeCode, message, cause);
  }
}
