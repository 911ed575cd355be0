package dev.hubcast.examples.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.MessageDecodingException;
import java.util.List;

/**
 * The chat's {@link MessageCodec}: {@link ChatMessage}s as JSON text frames, through Jackson.
 *
 * <p>Decoding is strict about what a message must hold and lenient about what it may add: bad JSON,
 * a value that is not a JSON object (an array included), a missing, unknown or non-string {@code
 * "type"}, a missing field or a field of the wrong kind (a number where a string belongs) fail with
 * a {@link ChatDecodingException} whose {@link ChatDecodingException#code() code} is {@code
 * bad-request} and whose message says what was wrong, without quoting the payload; fields the chat
 * does not know are ignored.
 *
 * <p>Thread-safe: the Jackson mapper is configured once, then only read.
 */
public final class ChatCodec implements MessageCodec<ChatMessage> {

  private static final String NO_OBJECT = "expected a JSON object with a \"type\"";
  private static final String TYPE_NO_STRING = "\"type\" must be a string (say, join or dm)";

  private final JsonMapper mapper;

  /** A codec with the chat's JSON settings. */
  public ChatCodec() {
    JsonMapper m =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    // A number or a boolean where a string belongs is an error, not a string.
    m.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    this.mapper = m;
  }

  @Override
  public Message encode(ChatMessage message) {
    requireNonNull(message, "message");
    try {
      return Message.text(mapper.writeValueAsString(message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a " + ChatMessage.typeOf(message), e);
    }
  }

  /**
   * Decodes a text frame.
   *
   * @throws ChatDecodingException ({@code bad-request}) if it is not a chat message
   */
  @Override
  public ChatMessage decode(Message frame) {
    if (!frame.isText()) {
      throw new ChatDecodingException("bad-request", "binary messages are not accepted", null);
    }
    String text;
    try {
      text = frame.text();
    } catch (MessageDecodingException e) {
      throw new ChatDecodingException("bad-request", "the message is not valid UTF-8", e);
    }
    if (startsAnArray(text)) {
      // Jackson would read ["say", {...}] as a type and its value, and [1,2,3] as type "1".
      throw new ChatDecodingException("bad-request", NO_OBJECT, null);
    }
    ChatMessage message;
    try {
      message = mapper.readValue(text, ChatMessage.class);
    } catch (JsonProcessingException e) {
      throw new ChatDecodingException("bad-request", describe(e, text), e);
    }
    if (message == null) { // the JSON text "null"
      throw new ChatDecodingException("bad-request", NO_OBJECT, null);
    }
    return message;
  }

  private static boolean startsAnArray(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return c == '[';
      }
    }
    return false;
  }

  /**
   * What a JSON value that is no chat message lacks: an object, or a string {@code "type"} (Jackson
   * reads {@code 5} as the type "5"); {@code null} if it has both. Only on the error path.
   */
  private String shapeProblem(String text) {
    JsonNode tree;
    try {
      tree = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (tree == null || !tree.isObject()) {
      return NO_OBJECT;
    }
    JsonNode type = tree.get("type");
    return type != null && !type.isTextual() ? TYPE_NO_STRING : null;
  }

  /** What was wrong, in words a client developer can act on, never quoting the payload. */
  private String describe(JsonProcessingException e, String text) {
    if (e instanceof JsonMappingException) {
      String shape = shapeProblem(text);
      if (shape != null) {
        return shape;
      }
    }
    if (e instanceof InvalidTypeIdException) {
      String typeId = ((InvalidTypeIdException) e).getTypeId();
      return typeId == null
          ? "missing \"type\""
          : "unknown type \"" + clip(typeId) + "\" (expected: say, join or dm)";
    }
    if (e instanceof ValueInstantiationException) {
      Throwable cause = e.getCause();
      return cause instanceof IllegalArgumentException && cause.getMessage() != null
          ? cause.getMessage() // a record's own check: 'say: missing "text"'
          : "a field is missing or has the wrong kind";
    }
    if (e instanceof JsonMappingException) {
      List<JsonMappingException.Reference> path = ((JsonMappingException) e).getPath();
      if (path.isEmpty()) {
        return NO_OBJECT;
      }
      String field = path.get(path.size() - 1).getFieldName();
      return field == null ? "a value has the wrong kind" : "\"" + field + "\" has the wrong kind";
    }
    return "not valid JSON";
  }

  private static String clip(String s) {
    return s.length() <= 32 ? s : s.substring(0, 32) + "...";
  }

  @Override
  public String toString() {
    return "ChatCodec[JSON]";
  }
}
