package dev.hubcast.netty.autobahn;

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
 * Reads the Autobahn TestSuite's {@code index.json}, prints how many cases ended in each outcome
 * (behaviour, and closing behaviour), and fails if any case outside 12.* and 13.*
 * (permessage-deflate, which hub-netty does not offer) ended otherwise than OK, NON-STRICT or
 * INFORMATIONAL. Run by the {@code autobahn} profile after the suite.
 */
public final class AutobahnSummary {

  private static final Set<String> PASSING = Set.of("OK", "NON-STRICT", "INFORMATIONAL");
  // {"agent": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK", ...}, ...}}
  private static final Pattern CASE =
      Pattern.compile("\"(\\d+(?:\\.\\d+)+)\"\\s*:\\s*\\{([^{}]*)}");
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
    List<String> failed = new ArrayList<>();
    int cases = 0;
    Matcher m = CASE.matcher(json);
    while (m.find()) {
      String id = m.group(1);
      if (id.startsWith("12.") || id.startsWith("13.")) {
        continue;
      }
      cases++;
      String behavior = value(BEHAVIOR, m.group(2));
      String close = value(CLOSE, m.group(2));
      behaviors.merge(behavior, 1, Integer::sum);
      closes.merge(close, 1, Integer::sum);
      if (!PASSING.contains(behavior) || !PASSING.contains(close)) {
        failed.add(id + " " + behavior + " (close: " + close + ")");
      }
    }
    System.out.println("Autobahn TestSuite against hub-netty (" + index + ")");
    System.out.println("  cases, 12.* and 13.* excluded: " + cases);
    System.out.println("  behavior:      " + behaviors);
    System.out.println("  behaviorClose: " + closes);
    if (cases == 0) {
      throw new IllegalStateException("no Autobahn case found in " + index);
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException(failed.size() + " Autobahn case(s) failed: " + failed);
    }
    System.out.println("  none FAILED, WRONG CODE, UNCLEAN or UNIMPLEMENTED");
  }

  private static String value(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? m.group(1) : "MISSING";
  }
}
