package dev.hubcast.testkit.autobahn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

class AutobahnSummaryTest {

  @Test
  void summarize_countsOutcomes_skipsDeflate_andListsFailures() throws Exception {
    String json =
        """
        {"hub": {
          "1.1.1": {"behavior": "OK", "behaviorClose": "OK"},
          "6.4.3": {"behavior": "NON-STRICT", "behaviorClose": "OK"},
          "7.1.6": {"behavior": "INFORMATIONAL", "behaviorClose": "INFORMATIONAL"},
          "7.9.1": {"behavior": "WRONG CODE", "behaviorClose": "OK"},
          "12.1.1": {"behavior": "FAILED", "behaviorClose": "FAILED"}
        }}
        """;

    AutobahnSummary.Summary s = AutobahnSummary.summarize(new JsonMapper().readTree(json));

    assertThat(s.cases()).isEqualTo(4);
    assertThat(s.behaviors()).containsEntry("OK", 1).containsEntry("WRONG CODE", 1);
    assertThat(s.failed()).containsExactly("7.9.1 WRONG CODE (close: OK)");
  }
}
