package dev.hubcast.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON the bench's processes exchange ({@link ServerStats} lines, {@link LoadSummary} files)
 * and the sweep keeps ({@code points.jsonl}): records through one Jackson mapper. A figure that was
 * not measured is a NaN in a record and a {@code null} in JSON, both ways (an absent number reads
 * as NaN too), so that it stays "unknown" instead of becoming 0 or a string.
 *
 * <p>Thread-safe: the mapper is configured once, then only used.
 */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(nanAsNull());

  private Json() {}

  /** {@code value} as one line of JSON. */
  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // records of numbers and strings always serialize
    }
  }

  /** Reads {@code json} as a {@code type}; fails on a name {@code type} does not have. */
  static <T> T read(String json, Class<T> type) throws IOException {
    return MAPPER.readValue(json, type);
  }

  private static SimpleModule nanAsNull() {
    StdSerializer<Double> writer =
        new StdSerializer<>(Double.class) {
          @Override
          public void serialize(Double value, JsonGenerator out, SerializerProvider provider)
              throws IOException {
            if (value.isNaN() || value.isInfinite()) {
              out.writeNull();
            } else {
              out.writeNumber(value);
            }
          }
        };
    StdDeserializer<Double> reader =
        new StdDeserializer<>(Double.class) {
          @Override
          public Double deserialize(JsonParser in, DeserializationContext context)
              throws IOException {
            return _parseDoublePrimitive(in, context);
          }

          @Override
          public Double getNullValue(DeserializationContext context) {
            return Double.NaN;
          }
        };
    return new SimpleModule("nan-as-null")
        .addSerializer(Double.class, writer)
        .addSerializer(double.class, writer)
        .addDeserializer(Double.class, reader)
        .addDeserializer(double.class, reader);
  }
}
