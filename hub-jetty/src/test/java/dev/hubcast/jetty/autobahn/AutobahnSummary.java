package dev.hubcast.jetty.autobahn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints the count of Autobahn cases per outcome from the suite's {@code index.json}, and fails
 * (exits with an exception) if a case outside permessage-deflate (12.*, 13.*) ended FAILED, WRONG
 * CODE, UNCLEAN or UNIMPLEMENTED, in its behaviour or its closing behaviour. Run by the {@code
 * autobahn} Maven profile after the suite.
 */
public final class AutobahnSummary {

  private static final Set<String> ACCEPTED = Set.of("OK", "NON-STRICT", "INFORMATIONAL");
  // index.json: {"agent": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK", ...}, ...}}
  private static final Pattern CASE =
      Pattern.compile("\"(\\d+(?:\\.\\d+)+)\"\\s*:\\s*\\{([^{}]*)\\}");
  private static final Pattern BEHAVIOR = Pattern.compile("\"behavior\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern CLOSE = Pattern.compile("\"behaviorClose\"\\s*:\\s*\"([^\"]*)\"");

  private AutobahnSummary() {}

  /**
   * Summarises a report.
   *
   * @param args the path of {@code index.json}
   */
  public static void main(String[] args) throws IOException {
    Path index = Path.of(args.length > 0 ? args[0] : "target/autobahntestsuite-reports/index.json");
    String json = Files.readString(index, StandardCharsets.UTF_8);
    Map<String, Integer> behaviors = new TreeMap<>();
    Map<String, Integer> closes = new TreeMap<>();
    List<String> bad = new ArrayList<>();
    int cases = 0;
    Matcher m = CASE.matcher(json);
    while (m.find()) {
      String id = m.group(1);
      if (id.startsWith("12.") || id.startsWith("13.")) {
        continue;
      }
      cases++;
      String behavior = find(BEHAVIOR, m.group(2));
      String close = find(CLOSE, m.group(2));
      behaviors.merge(behavior, 1, Integer::sum);
      closes.merge(close, 1, Integer::sum);
      if (!ACCEPTED.contains(behavior) || !ACCEPTED.contains(close)) {
        bad.add(id + " " + behavior + " (close " + close + ")");
      }
    }
    System.out.println("Autobahn TestSuite, hub-jetty (" + index + ")");
    System.out.println("  cases (12.* and 13.* excluded): " + cases);
    System.out.println("  behavior:      " + behaviors);
    System.out.println("  behaviorClose: " + closes);
    if (cases == 0) {
      throw new IllegalStateException("no Autobahn case in " + index);
    }
    if (!bad.isEmpty()) {
      throw new IllegalStateException(bad.size() + " Autobahn cases failed: " + bad);
    }
    System.out.println("  none FAILED, WRONG CODE or UNCLEAN");
  }

  private static String find(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? m.group(1) : "MISSING";
  }
}
