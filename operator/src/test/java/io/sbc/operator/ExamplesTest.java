package io.sbc.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every document of examples/ is valid against the committed CRDs (as kubectl with strict field
 * validation would judge it) and survives a round trip through the CR classes.
 */
class ExamplesTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path EXAMPLES = Path.of(System.getProperty("sbc.examples", "../examples"));
  static final Path CRDS = Path.of(System.getProperty("sbc.crd.committed", "../crds"));

  static final Map<String, Class<? extends CustomResource<?, ?>>> CLASSES =
      Map.of(
          "SipGateway", SipGatewayResource.class,
          "SipRoute", SipRouteResource.class,
          "SipDispatcher", SipDispatcherResource.class);

  static final Map<String, String> CRD_FILES =
      Map.of(
          "SipGateway", "sipgateways.sbc.io-v1.yml",
          "SipRoute", "siproutes.sbc.io-v1.yml",
          "SipDispatcher", "sipdispatchers.sbc.io-v1.yml");

  /** The documents of every example file, as (file, JSON tree). */
  static List<Map.Entry<String, JsonNode>> documents() throws IOException {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode n :
            YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(f)).readAll()) {
          if (n != null && n.isObject()) {
            out.add(
                Map.entry(
                    f.getFileName()
                        + " "
                        + n.get("kind").asText()
                        + "/"
                        + n.path("metadata").path("name").asText(),
                    n));
          }
        }
      }
    }
    return out;
  }

  /** The openAPIV3Schema of a kind, closed (unknown fields refused) as strict validation does. */
  static Schema schema(String kind) throws IOException {
    JsonNode crd = YAML.readTree(CRDS.resolve(CRD_FILES.get(kind)).toFile());
    JsonNode s = crd.at("/spec/versions/0/schema/openAPIV3Schema").deepCopy();
    close(s);
    // metadata is checked by the API server itself
    ((ObjectNode) s.get("properties")).putObject("metadata").put("type", "object");
    ((ObjectNode) s.get("properties")).putObject("apiVersion").put("type", "string");
    ((ObjectNode) s.get("properties")).putObject("kind").put("type", "string");
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
        .getSchema(s.toString(), InputFormat.JSON);
  }

  private static void close(JsonNode s) {
    if (!s.isObject()) {
      return;
    }
    ObjectNode o = (ObjectNode) s;
    if (o.has("properties") && !o.has("additionalProperties")) {
      o.put("additionalProperties", false);
    }
    for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
      JsonNode child = it.next();
      if (child.isObject()) {
        close(child);
      }
    }
  }

  static List<String> validate(JsonNode doc) throws IOException {
    return schema(doc.get("kind").asText()).validate(doc.toString(), InputFormat.JSON).stream()
        .map(Error::toString)
        .toList();
  }

  @TestFactory
  Stream<DynamicTest> everyExampleMatchesItsCrd() throws IOException {
    List<Map.Entry<String, JsonNode>> docs = documents();
    assertTrue(docs.size() >= 4, "examples found: " + docs.size());
    return docs.stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(), () -> assertEquals(List.of(), validate(e.getValue()))));
  }

  @TestFactory
  Stream<DynamicTest> everyExampleRoundTripsThroughItsCrClass() throws IOException {
    return documents().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> {
                      JsonNode doc = e.getValue();
                      Class<? extends CustomResource<?, ?>> type =
                          CLASSES.get(doc.get("kind").asText());
                      CustomResource<?, ?> cr = Serialization.unmarshal(doc.toString(), type);
                      assertEquals(doc.get("kind").asText(), cr.getKind());
                      assertEquals("sbc.io/v1alpha1", cr.getApiVersion());
                      JsonNode back = YAML.readTree(Serialization.asYaml(cr));
                      assertContains(doc, back, "");
                      CustomResource<?, ?> again = Serialization.unmarshal(back.toString(), type);
                      assertEquals(
                          YAML.valueToTree(cr.getSpec()), YAML.valueToTree(again.getSpec()));
                    }));
  }

  /** Every field written in the example is still there, with its value, after the round trip. */
  static void assertContains(JsonNode expected, JsonNode actual, String path) {
    if (expected.isObject()) {
      assertTrue(actual != null && actual.isObject(), path + ": missing mapping");
      expected
          .fields()
          .forEachRemaining(
              f -> assertContains(f.getValue(), actual.get(f.getKey()), path + "." + f.getKey()));
    } else if (expected.isArray()) {
      assertTrue(actual != null && actual.isArray() && actual.size() == expected.size(), path);
      for (int i = 0; i < expected.size(); i++) {
        assertContains(expected.get(i), actual.get(i), path + "[" + i + "]");
      }
    } else {
      assertEquals(expected.asText(), actual == null ? null : actual.asText(), path);
    }
  }

  @Test
  void wrongTypesAndValuesAreRefusedWithTheirPath() throws IOException {
    JsonNode bad =
        YAML.readTree(
            """
            apiVersion: sbc.io/v1alpha1
            kind: SipGateway
            metadata: {name: bad}
            spec:
              listeners:
                - name: udp
                  protocol: SIP-SCTP
                  port: "5060"
                - name: tcp
                  protocol: SIP-TCP
                  port: 70000
                  prot: x
            """);
    String all = String.join("\n", validate(bad));
    assertTrue(all.contains("/spec/listeners/0/protocol"), all);
    assertTrue(all.contains("/spec/listeners/0/port"), all);
    assertTrue(all.contains("/spec/listeners/1/port"), all);
    assertTrue(all.contains("prot"), all);
    JsonNode noListeners =
        YAML.readTree(
            "{apiVersion: sbc.io/v1alpha1, kind: SipGateway, metadata: {name: x}, spec: {}}");
    assertFalse(validate(noListeners).isEmpty());
  }
}
