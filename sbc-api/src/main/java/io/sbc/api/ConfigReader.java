package io.sbc.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a multi-document YAML configuration into the model and validates it, reporting every
 * problem with the file, the document, the field path and the reason.
 *
 * <p>It reads text it is given; opening files is the caller's business.
 */
public final class ConfigReader {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

  private ConfigReader() {}

  /**
   * @param source the file name, used in messages
   * @param yaml the file's text
   */
  public static Configuration read(String source, String yaml) throws ConfigException {
    List<String> errors = new ArrayList<>();
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNextValue()) {
        JsonNode n = it.nextValue();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(List.of(source + ": not valid YAML: " + firstLine(e.getMessage())));
    }
    List<SipGateway> gateways = new ArrayList<>();
    List<SipRoute> routes = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      JsonNode n = docs.get(i);
      String where = source + ": document " + (i + 1) + describe(n);
      if (!n.isObject()) {
        errors.add(where + ": not a mapping");
        continue;
      }
      if (!n.hasNonNull("kind")) {
        errors.add(where + ": kind: missing (SipGateway or SipRoute)");
        continue;
      }
      try {
        SipResource r = MAPPER.treeToValue(n, SipResource.class);
        Validator v = new Validator(where);
        if (r instanceof SipGateway g) {
          v.gateway(g);
          gateways.add(g);
        } else if (r instanceof SipRoute rt) {
          v.route(rt);
          routes.add(rt);
        }
        errors.addAll(v.errors());
      } catch (InvalidTypeIdException e) {
        errors.add(
            where
                + ": kind: unknown kind '"
                + n.get("kind").asText()
                + "' (expected SipGateway or SipRoute)");
      } catch (UnrecognizedPropertyException e) {
        errors.add(
            where + ": " + path(e) + ": unknown field (known: " + e.getKnownPropertyIds() + ")");
      } catch (JsonMappingException e) {
        errors.add(where + ": " + path(e) + ": " + firstLine(e.getOriginalMessage()));
      } catch (JsonProcessingException e) {
        errors.add(where + ": " + firstLine(e.getOriginalMessage()));
      }
    }
    if (errors.isEmpty()) {
      crossChecks(source, gateways, routes, errors);
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return new Configuration(List.copyOf(gateways), List.copyOf(routes));
  }

  private static void crossChecks(
      String source, List<SipGateway> gateways, List<SipRoute> routes, List<String> errors) {
    if (gateways.isEmpty()) {
      errors.add(source + ": no SipGateway document: nothing to serve");
    }
    Set<String> names = new HashSet<>();
    for (SipGateway g : gateways) {
      if (!names.add(g.metadata.name)) {
        errors.add(source + ": " + g.id() + ": metadata.name: duplicate gateway name");
      }
    }
    for (SipRoute r : routes) {
      for (int i = 0; i < r.spec.parentRefs.size(); i++) {
        String p = r.spec.parentRefs.get(i).name;
        if (p != null && !names.contains(p)) {
          errors.add(
              source
                  + ": "
                  + r.id()
                  + ": spec.parentRefs["
                  + i
                  + "].name: no SipGateway '"
                  + p
                  + "' in this configuration");
        }
      }
    }
  }

  private static String describe(JsonNode n) {
    if (!n.isObject()) {
      return "";
    }
    JsonNode kind = n.get("kind");
    JsonNode meta = n.get("metadata");
    JsonNode name = meta == null ? null : meta.get("name");
    if (kind == null && name == null) {
      return "";
    }
    return " ("
        + (kind == null ? "?" : kind.asText())
        + "/"
        + (name == null ? "?" : name.asText())
        + ")";
  }

  /** The JSON path of a mapping error: spec.listeners[0].port. */
  static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(document)" : sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
