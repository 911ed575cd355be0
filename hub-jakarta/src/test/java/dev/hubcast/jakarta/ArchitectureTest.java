package dev.hubcast.jakarta;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * hub-jakarta is written against hub-core's public API and SPI and the standard Jakarta APIs only:
 * no container's classes, so that it runs in any servlet container.
 */
@AnalyzeClasses(packages = "dev.hubcast", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule usesNoCoreInternals =
      noClasses()
          .that()
          .resideInAPackage("dev.hubcast.jakarta..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.hubcast.core.internal..");

  @ArchTest
  static final ArchRule knowsNoOtherTransport =
      noClasses()
          .that()
          .resideInAPackage("dev.hubcast.jakarta..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.netty..", "dev.hubcast.netty..", "dev.hubcast.jetty..");

  @ArchTest
  static final ArchRule knowsNoContainer =
      noClasses()
          .that()
          .resideInAPackage("dev.hubcast.jakarta..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache..", "org.eclipse.jetty..", "io.undertow..");
}
