package dev.hubcast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start shows the seed programs' code verbatim: every Java block of the quick
 * start in {@code README.md} that declares a hub must appear, line for line, in a seed's source.
 */
class ReadmeSnippetsTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void quickStart_isCopiedFromTheSeeds() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    int start = readme.indexOf("## Quick start");
    assertThat(start).as("the README's quick start").isNotNegative();
    String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
    List<String> sources = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/hubcast/examples"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        sources.add(normalize(Files.readString(file)));
      }
    }
    Matcher block = JAVA_BLOCK.matcher(section);
    int checked = 0;
    while (block.find()) {
      String code = block.group(1);
      if (!code.contains("Hub.create(")) {
        continue; // a usage line, not a program
      }
      String snippet = normalize(code);
      assertThat(sources).as("a seed containing:%n%s", code).anyMatch(s -> s.contains(snippet));
      checked++;
    }
    assertThat(checked).as("quick start snippets").isEqualTo(2);
  }

  /** Each line trimmed, blank lines dropped: indentation differs between README and source. */
  private static String normalize(String code) {
    return code.lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .collect(Collectors.joining("\n"));
  }
}
