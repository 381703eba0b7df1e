package io.sbc.runtime.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every example configuration under examples/ loads and compiles as the runtime loads it. */
class ExamplesTest {

  /** -Dsbc.examples=DIR, else ../examples from the module directory (where surefire runs). */
  static Path examplesDir() {
    String p = System.getProperty("sbc.examples");
    return (p != null ? Path.of(p) : Path.of("..", "examples")).toAbsolutePath().normalize();
  }

  static List<Path> examples() throws IOException {
    Path dir = examplesDir();
    assertTrue(Files.isDirectory(dir), "no examples directory at " + dir);
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(f -> Files.isRegularFile(f))
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .sorted()
          .toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExampleLoads() throws IOException {
    List<Path> files = examples();
    assertFalse(files.isEmpty(), "no *.yaml under " + examplesDir());
    assertTrue(
        files.stream().anyMatch(f -> f.getFileName().toString().equals("quickstart.yaml")),
        "quickstart.yaml is missing from " + examplesDir());
    return files.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    examplesDir().relativize(f).toString(),
                    () -> {
                      GatewayConfig cfg;
                      try {
                        cfg = GatewayConfig.load(f, null);
                      } catch (ConfigException e) {
                        if (e.getMessage().contains("choose one with --gateway")) {
                          return; // several gateways: each is checked by the reader already
                        }
                        throw new AssertionError(f + " does not load:\n" + e.getMessage(), e);
                      }
                      assertFalse(cfg.listeners().isEmpty(), f + ": no listeners");
                    }));
  }
}
