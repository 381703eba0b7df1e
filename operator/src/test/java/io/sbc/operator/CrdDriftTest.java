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

  /**
   * The combinations the operator would refuse that a CEL rule can say are refused by the API
   * server already (kubectl names the rule's message): one action per rule, uri or kind,
   * minReplicas not above maxReplicas, uri or serviceRef per destination. A rule left out of the
   * generated CRD fails here, whatever the committed copy says.
   */
  @Test
  void theGeneratedCrdsCarryTheCelRules() throws IOException {
    Path generated = Path.of(System.getProperty("sbc.crd.generated", "target/crds"));
    String routes = Files.readString(generated.resolve("siproutes.sbc.io-v1.yml"));
    String gateways = Files.readString(generated.resolve("sipgateways.sbc.io-v1.yml"));
    String dispatchers = Files.readString(generated.resolve("sipdispatchers.sbc.io-v1.yml"));
    for (String[] want :
        new String[][] {
          {routes, "a rule needs exactly one action"},
          {routes, "give either uri or kind with name, not both"},
          {gateways, "maxReplicas must not be below minReplicas"},
          {dispatchers, "each destination gives either uri or serviceRef"}
        }) {
      org.junit.jupiter.api.Assertions.assertTrue(
          want[0].contains("x-kubernetes-validations") && want[0].contains(want[1]),
          "no CEL rule \"" + want[1] + "\" in the generated CRDs");
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
