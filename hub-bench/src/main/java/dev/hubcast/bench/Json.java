package dev.hubcast.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small JSON writer and reader for the bench's own flat result files: objects of strings,
 * numbers, booleans, and nested objects or arrays written with {@link #raw}. Not thread-safe.
 */
final class Json {
  private final StringBuilder sb = new StringBuilder("{");
  private boolean first = true;

  Json put(String name, String value) {
    return raw(name, value == null ? "null" : quote(value));
  }

  Json put(String name, long value) {
    return raw(name, Long.toString(value));
  }

  Json put(String name, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return raw(name, "null");
    }
    String s = String.format(Locale.ROOT, "%.6f", value);
    s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    return raw(name, s);
  }

  Json put(String name, boolean value) {
    return raw(name, Boolean.toString(value));
  }

  Json raw(String name, String json) {
    if (!first) {
      sb.append(", ");
    }
    first = false;
    sb.append(quote(name)).append(": ").append(json);
    return this;
  }

  @Override
  public String toString() {
    return sb + "}";
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  static String array(List<String> jsonValues) {
    return "[" + String.join(", ", jsonValues) + "]";
  }

  /**
   * Reads a flat JSON object of numbers, strings, booleans and nulls (nested values are skipped):
   * enough for the files this bench writes.
   */
  static Map<String, Object> parseFlat(String json) {
    Map<String, Object> out = new LinkedHashMap<>();
    int[] pos = {json.indexOf('{') + 1};
    while (true) {
      skipSpace(json, pos);
      if (pos[0] >= json.length() || json.charAt(pos[0]) == '}') {
        return out;
      }
      if (json.charAt(pos[0]) == ',') {
        pos[0]++;
        continue;
      }
      String name = readString(json, pos);
      skipSpace(json, pos);
      pos[0]++; // ':'
      skipSpace(json, pos);
      char c = json.charAt(pos[0]);
      if (c == '"') {
        out.put(name, readString(json, pos));
      } else if (c == '{' || c == '[') {
        skipNested(json, pos);
      } else {
        int start = pos[0];
        while (pos[0] < json.length() && ",}] \n\r\t".indexOf(json.charAt(pos[0])) < 0) {
          pos[0]++;
        }
        String token = json.substring(start, pos[0]);
        switch (token) {
          case "null" -> out.put(name, null);
          case "true" -> out.put(name, Boolean.TRUE);
          case "false" -> out.put(name, Boolean.FALSE);
          default -> out.put(name, Double.parseDouble(token));
        }
      }
    }
  }

  private static void skipSpace(String s, int[] pos) {
    while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) {
      pos[0]++;
    }
  }

  private static String readString(String s, int[] pos) {
    StringBuilder out = new StringBuilder();
    pos[0]++; // opening quote
    while (s.charAt(pos[0]) != '"') {
      char c = s.charAt(pos[0]++);
      if (c == '\\') {
        char e = s.charAt(pos[0]++);
        switch (e) {
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            out.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
            pos[0] += 4;
          }
          default -> out.append(e);
        }
      } else {
        out.append(c);
      }
    }
    pos[0]++;
    return out.toString();
  }

  private static void skipNested(String s, int[] pos) {
    int depth = 0;
    boolean inString = false;
    do {
      char c = s.charAt(pos[0]++);
      if (inString) {
        if (c == '\\') {
          pos[0]++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      }
    } while (depth > 0);
  }

  static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    for (String l : text.split("\n")) {
      if (!l.isBlank()) {
        out.add(l);
      }
    }
    return out;
  }

  static Map<String, Object> empty() {
    return new LinkedHashMap<>();
  }
}
