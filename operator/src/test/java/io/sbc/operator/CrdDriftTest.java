package io.sbc.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs the build generates from the Java types (into target/crds, while Quarkus starts the
 * application for the tests) are the committed ones in crds/. Run with -Pupdate-crds (or
 * operator/update-crds.sh) to copy them over on purpose.
 */
@QuarkusTest
@WithKubernetesTestServer
class CrdDriftTest {

  @Test
  void committedCrdsAreTheGeneratedOnes() throws IOException {
    Path generated = Path.of(System.getProperty("sbc.crd.generated", "target/crds"));
    Path committed = Path.of(System.getProperty("sbc.crd.committed", "../crds"));
    List<Path> files = list(generated);
    assertFalse(files.isEmpty(), "no CRD generated in " + generated);
    if (Boolean.getBoolean("sbc.crd.update")) {
      Files.createDirectories(committed);
      for (Path old : list(committed)) {
        Files.delete(old);
      }
      for (Path f : files) {
        Files.copy(f, committed.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      return;
    }
    TreeSet<String> names = new TreeSet<>();
    files.forEach(f -> names.add(f.getFileName().toString()));
    TreeSet<String> committedNames = new TreeSet<>();
    list(committed).forEach(f -> committedNames.add(f.getFileName().toString()));
    assertEquals(names, committedNames, "CRD files in " + committed + " " + HOW);
    List<String> differ = new ArrayList<>();
    for (String n : names) {
      if (!Files.readString(generated.resolve(n)).equals(Files.readString(committed.resolve(n)))) {
        differ.add(n);
      }
    }
    if (!differ.isEmpty()) {
      fail("CRDs in " + committed + " differ from the generated ones: " + differ + " " + HOW);
    }
  }

  private static final String HOW =
      "(the Java types changed: run `mvn -pl operator -am -Pupdate-crds verify` or"
          + " `operator/update-crds.sh`, review and commit crds/)";

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }
}
