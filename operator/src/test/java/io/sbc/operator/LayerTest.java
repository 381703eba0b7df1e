package io.sbc.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The model builds desired state only: it never imports the client, the SDK or the reconcilers. */
class LayerTest {
  static final List<String> FORBIDDEN =
      List.of(
          "import io.fabric8.kubernetes.client.KubernetesClient",
          "import io.fabric8.kubernetes.client.dsl",
          "import io.javaoperatorsdk",
          "import io.sbc.operator.reconciler");

  @Test
  void modelImportsNeitherClientNorSdk() throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/sbc/operator/model"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          if (FORBIDDEN.stream().anyMatch(line::startsWith)) {
            offenders.add(f.getFileName() + ": " + line);
          }
        }
      }
    }
    assertEquals(List.of(), offenders);
  }
}
