package dev.hubcast.examples.chat;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.MessageDecodingException;

/**
 * A client's frame is not a chat message. The chat answers it with an {@code error} message
 * carrying {@link #code()} and the exception's message, and keeps the connection open.
 *
 * <p>Immutable once thrown. Its message never quotes the payload.
 */
public final class ChatDecodingException extends MessageDecodingException {
  private static final long serialVersionUID = 1L;

  private final String code;

  /** A failure with an error code such as {@code bad-request}. */
  public ChatDecodingException(String code, String message, Throwable cause) {
    super(CloseCodes.INVALID_PAYLOAD, message, cause);
    this.code = code;
  }

  /** The protocol's error code: {@code bad-request}. */
  public String code() {
    return code;
  }
}
