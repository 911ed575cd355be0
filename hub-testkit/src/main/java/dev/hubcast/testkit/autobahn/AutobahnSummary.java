package dev.hubcast.testkit.autobahn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the Autobahn TestSuite's {@code index.json}, prints how many cases ended in each outcome
 * (behaviour, and closing behaviour), and fails if any case outside 12.* and 13.*
 * (permessage-deflate, which the adapters do not offer) ended otherwise than OK, NON-STRICT or
 * INFORMATIONAL. Runs on the calling thread. An adapter's {@code autobahn} Maven profile runs it
 * after the suite.
 *
 * <pre>
 * java dev.hubcast.testkit.autobahn.AutobahnSummary target/autobahntestsuite-reports/index.json hub-jetty
 * </pre>
 *
 * <p>Not for use as a library. Needs {@code jackson-databind} on the class path (an optional
 * dependency of hub-testkit).
 */
public final class AutobahnSummary {

  private static final Set<String> PASSING = Set.of("OK", "NON-STRICT", "INFORMATIONAL");

  private AutobahnSummary() {}

  /**
   * Summarises a report and throws if a case failed.
   *
   * @param args the path of {@code index.json}, then the name of what was tested
   */
  public static void main(String[] args) throws IOException {
    Path index = Path.of(args.length > 0 ? args[0] : "target/autobahntestsuite-reports/index.json");
    String subject = args.length > 1 ? args[1] : "the server";
    Summary s = summarize(new JsonMapper().readTree(index.toFile()));
    System.out.println("Autobahn TestSuite against " + subject + " (" + index + ")");
    System.out.println(
        "  cases, 12.* and 13.* excluded: "
            + s.cases()
            + (s.cases() < 301
                ? " (short form: the larger 9.* cases too; -Dautobahn.full runs them)"
                : ""));
    System.out.println("  behavior:      " + s.behaviors());
    System.out.println("  behaviorClose: " + s.closes());
    if (s.cases() == 0) {
      throw new IllegalStateException("no Autobahn case found in " + index);
    }
    if (!s.failed().isEmpty()) {
      throw new IllegalStateException(
          s.failed().size() + " Autobahn case(s) failed: " + s.failed());
    }
    System.out.println("  none FAILED, WRONG CODE, UNCLEAN or UNIMPLEMENTED");
  }

  /**
   * The outcome counts of one report. Immutable.
   *
   * @param cases cases counted (12.* and 13.* left out)
   * @param behaviors how many cases ended in each behaviour
   * @param closes how many cases ended in each closing behaviour
   * @param failed the cases that did not pass, with their outcomes
   */
  public record Summary(
      int cases,
      Map<String, Integer> behaviors,
      Map<String, Integer> closes,
      List<String> failed) {}

  /** Counts a parsed {@code index.json}: {@code {"agent": {"1.1.1": {"behavior": ...}}}}. */
  public static Summary summarize(JsonNode root) {
    Map<String, Integer> behaviors = new TreeMap<>();
    Map<String, Integer> closes = new TreeMap<>();
    List<String> failed = new ArrayList<>();
    int cases = 0;
    for (Iterator<JsonNode> agents = root.elements(); agents.hasNext(); ) {
      for (Iterator<Map.Entry<String, JsonNode>> it = agents.next().fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> c = it.next();
        String id = c.getKey();
        if (id.startsWith("12.") || id.startsWith("13.")) {
          continue;
        }
        cases++;
        String behavior = c.getValue().path("behavior").asText("MISSING");
        String close = c.getValue().path("behaviorClose").asText("MISSING");
        behaviors.merge(behavior, 1, Integer::sum);
        closes.merge(close, 1, Integer::sum);
        if (!PASSING.contains(behavior) || !PASSING.contains(close)) {
          failed.add(id + " " + behavior + " (close: " + close + ")");
        }
      }
    }
    return new Summary(cases, behaviors, closes, failed);
  }
}
