package dev.hubcast.jakarta;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The jar's module descriptor exports the adapter's API and keeps its internals in. */
class ModuleDescriptorTest {

  @Test
  void module_exportsApiButNotInternal() {
    ModuleDescriptor module =
        ModuleFinder.of(Path.of("target/classes"))
            .find("dev.hubcast.jakarta")
            .orElseThrow()
            .descriptor();

    assertThat(module.exports().stream().map(ModuleDescriptor.Exports::source))
        .containsExactly("dev.hubcast.jakarta");
    assertThat(module.packages()).contains("dev.hubcast.jakarta.internal");
  }
}
