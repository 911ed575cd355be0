package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The jar's module descriptor exports the API and the SPIs, and keeps the implementation in. */
class ModuleDescriptorTest {

  @Test
  void module_exportsApiAndSpisButNotInternal() {
    ModuleDescriptor module =
        ModuleFinder.of(Path.of("target/classes"))
            .find("dev.hubcast.core")
            .orElseThrow()
            .descriptor();

    assertThat(module.name()).isEqualTo("dev.hubcast.core");
    assertThat(module.exports().stream().map(ModuleDescriptor.Exports::source))
        .containsExactlyInAnyOrder(
            "dev.hubcast.core", "dev.hubcast.core.spi", "dev.hubcast.core.backplane");
    assertThat(module.packages()).contains("dev.hubcast.core.internal");
    assertThat(
            module.requires().stream()
                .map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("java.base", "org.slf4j");
  }
}
