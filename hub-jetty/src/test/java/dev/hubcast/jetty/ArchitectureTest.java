package dev.hubcast.jetty;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * hub-jetty is written against hub-core's public API and SPI only, as a user's adapter would be.
 */
@AnalyzeClasses(packages = "dev.hubcast", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule usesNoCoreInternals =
      noClasses()
          .that()
          .resideInAPackage("dev.hubcast.jetty..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.hubcast.core.internal..");

  @ArchTest
  static final ArchRule knowsNoOtherTransport =
      noClasses()
          .that()
          .resideInAPackage("dev.hubcast.jetty..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.netty..", "dev.hubcast.netty..");

  @ArchTest
  static final ArchRule publicApiHidesJettyInternals =
      noClasses()
          .that()
          .resideInAPackage("dev.hubcast.jetty")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.eclipse.jetty..internal..");
}
