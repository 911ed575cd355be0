package dev.hubcast.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps hub-core free of any transport and its layers pointing one way. */
class ArchitectureTest {

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.hubcast.core");

  @Test
  void core_dependsOnJdkAndSlf4jOnly() {
    // javax.net.ssl is the JDK's TLS (TlsIdentity's KeyManagerFactory).
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("dev.hubcast.core..", "java..", "javax.net.ssl..", "org.slf4j..")
        .check(CORE);
  }

  @Test
  void core_knowsNoTransport() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty..", "org.eclipse.jetty..", "jakarta..", "javax.servlet..")
        .check(CORE);
  }

  @Test
  void spi_doesNotReachIntoInternal() {
    noClasses()
        .that()
        .resideInAPackage("dev.hubcast.core.spi..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hubcast.core.internal..")
        .check(CORE);
  }
}
