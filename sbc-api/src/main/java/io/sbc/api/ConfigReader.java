package io.sbc.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a multi-document YAML configuration into the model and validates it, reporting every
 * problem with the file, the document, the field path and the reason: "FILE: document N
 * (Kind/name): spec.listeners[0].port: reason".
 *
 * <p>Each document is first checked against the {@link Schema} (unknown fields, wrongly typed
 * values: all of them, not only the first), then bound to the model without the offending fields
 * and validated, so that one run reports every problem of every document. It reads text it is
 * given; opening files is the caller's business.
 */
public final class ConfigReader {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

  private ConfigReader() {}

  /** The kinds there are, as messages list them. */
  static final String KINDS = SipGateway.KIND + ", " + SipRoute.KIND + " or " + SipDispatcher.KIND;

  /** A document that could be bound, and how messages name it. */
  private record Doc(String where, SipResource resource) {}

  /**
   * @param source the file name, used in messages
   * @param yaml the file's text
   * @throws ConfigException with every problem found, one line each
   */
  public static Configuration read(String source, String yaml) throws ConfigException {
    List<JsonNode> docs = new ArrayList<>();
    String syntaxError = parse(source, yaml, docs);
    List<String> errors = new ArrayList<>();
    List<Doc> bound = new ArrayList<>();
    boolean allIdentified = syntaxError == null;
    for (int i = 0; i < docs.size(); i++) {
      JsonNode n = docs.get(i);
      if (n == null || n.isNull() || n.isMissingNode()) {
        continue; // an empty document: "---" with nothing after it
      }
      String where = source + ": document " + (i + 1) + describe(n);
      if (!n.isObject()) {
        errors.add(where + ": expected a mapping (was " + Schema.describe(n) + ")");
        allIdentified = false;
        continue;
      }
      JsonNode kindNode = n.get("kind");
      if (kindNode == null || kindNode.isNull()) {
        errors.add(where + ": kind: required (" + KINDS + ")");
        allIdentified = false;
        continue;
      }
      Schema.Obj shape = kindNode.isTextual() ? Schema.ofKind(kindNode.asText()) : null;
      if (shape == null) {
        errors.add(
            where
                + ": kind: unknown kind "
                + Schema.describe(kindNode)
                + " (expected "
                + KINDS
                + ")");
        allIdentified = false;
        continue;
      }
      List<Schema.Problem> problems = new ArrayList<>();
      JsonNode clean = Schema.check(n, shape, "", problems);
      SipResource r;
      try {
        r = MAPPER.treeToValue(clean, classOf(kindNode.asText()));
      } catch (JsonMappingException e) {
        // the schema let through something the model does not take: a bug, reported as such
        problems.add(new Schema.Problem(path(e), firstLine(e.getOriginalMessage())));
        report(where, problems, List.of(), errors);
        allIdentified = false;
        continue;
      } catch (JsonProcessingException e) {
        problems.add(new Schema.Problem("(document)", firstLine(e.getOriginalMessage())));
        report(where, problems, List.of(), errors);
        allIdentified = false;
        continue;
      }
      Validator v = new Validator();
      if (r instanceof SipGateway g) {
        v.gateway(g);
      } else if (r instanceof SipRoute rt) {
        v.route(rt);
      } else if (r instanceof SipDispatcher ds) {
        v.dispatcher(ds);
      }
      report(where, problems, v.problems(), errors);
      bound.add(new Doc(where, r));
    }
    if (syntaxError != null) {
      errors.add(syntaxError);
    }
    crossChecks(source, bound, allIdentified, errors);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    List<SipGateway> gateways = new ArrayList<>();
    List<SipRoute> routes = new ArrayList<>();
    List<SipDispatcher> dispatchers = new ArrayList<>();
    for (Doc d : bound) {
      if (d.resource() instanceof SipGateway g) {
        gateways.add(g);
      } else if (d.resource() instanceof SipRoute r) {
        routes.add(r);
      } else if (d.resource() instanceof SipDispatcher ds) {
        dispatchers.add(ds);
      }
    }
    return new Configuration(List.copyOf(gateways), List.copyOf(routes), List.copyOf(dispatchers));
  }

  /** The model class of a kind {@link Schema#ofKind} knows. */
  private static Class<? extends SipResource> classOf(String kind) {
    if (SipGateway.KIND.equals(kind)) {
      return SipGateway.class;
    }
    if (SipRoute.KIND.equals(kind)) {
      return SipRoute.class;
    }
    return SipDispatcher.class;
  }

  /**
   * Adds the documents of the text to docs; returns the syntax error that ended reading (with its
   * line and column), or null.
   */
  private static String parse(String source, String yaml, List<JsonNode> docs) {
    try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNextValue()) {
        docs.add(it.nextValue());
      }
      return null;
    } catch (JsonProcessingException e) {
      return source + ": document " + (docs.size() + 1) + ": " + syntaxMessage(e);
    } catch (IOException | RuntimeException e) {
      return source
          + ": document "
          + (docs.size() + 1)
          + ": not valid YAML: "
          + firstLine(e.getMessage());
    }
  }

  private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

  /**
   * "line L, column C: not valid YAML: what": the position of the problem (the parser's last mark,
   * else Jackson's location) and the parser's explanation without its source snippets.
   */
  static String syntaxMessage(JsonProcessingException e) {
    String msg = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
    String at = null;
    List<String> what = new ArrayList<>();
    for (String line : msg.split("\n")) {
      String t = line.strip();
      if (t.startsWith("in 'reader'") || t.startsWith("in '")) {
        Matcher m = MARK.matcher(t);
        if (m.find()) {
          at = "line " + m.group(1) + ", column " + m.group(2);
        }
      } else if (!t.isEmpty() && !line.startsWith(" ") && !t.startsWith("at [Source")) {
        what.add(t);
      }
    }
    JsonLocation loc = e.getLocation();
    if (at == null && loc != null && loc.getLineNr() > 0) {
      at = "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
    return (at == null ? "" : at + ": ")
        + "not valid YAML: "
        + (what.isEmpty() ? "unreadable" : String.join("; ", what));
  }

  /**
   * Adds the schema problems, then the validator's, leaving out validator problems at or below a
   * path the schema already reported (the offending value was dropped before binding, so "port:
   * required" would only repeat "port: expected an integer").
   */
  private static void report(
      String where,
      List<Schema.Problem> schema,
      List<Schema.Problem> validator,
      List<String> errors) {
    for (Schema.Problem p : schema) {
      errors.add(where + ": " + p.path() + ": " + p.reason());
    }
    for (Schema.Problem p : validator) {
      if (schema.stream().noneMatch(s -> within(p.path(), s.path()))) {
        errors.add(where + ": " + p.path() + ": " + p.reason());
      }
    }
  }

  /** Whether path is base or lies below it (base.x, base[0]). */
  private static boolean within(String path, String base) {
    return path.equals(base)
        || (path.startsWith(base)
            && (path.charAt(base.length()) == '.' || path.charAt(base.length()) == '['));
  }

  private static void crossChecks(
      String source, List<Doc> docs, boolean allIdentified, List<String> errors) {
    Map<String, Map<String, Doc>> byKind = new LinkedHashMap<>();
    for (Doc d : docs) {
      SipResource r = d.resource();
      String name = r.metadata == null ? null : r.metadata.name;
      if (name == null) {
        continue;
      }
      Map<String, Doc> seen = byKind.computeIfAbsent(r.kind, k -> new LinkedHashMap<>());
      Doc first = seen.putIfAbsent(name, d);
      if (first != null) {
        errors.add(
            d.where()
                + ": metadata.name: another "
                + r.kind
                + " is named '"
                + name
                + "' ("
                + first.where().substring(source.length() + 2)
                + ")");
      }
    }
    if (!allIdentified) {
      return; // an unreadable document may be the gateway or dispatcher the others refer to
    }
    if (docs.stream().noneMatch(d -> d.resource() instanceof SipGateway)) {
      errors.add(source + ": no " + SipGateway.KIND + " document: nothing to serve");
      return;
    }
    Map<String, Doc> gateways = byKind.getOrDefault(SipGateway.KIND, Map.of());
    Map<String, Doc> dispatchers = byKind.getOrDefault(SipDispatcher.KIND, Map.of());
    for (Doc d : docs) {
      if (!(d.resource() instanceof SipRoute r) || r.spec == null) {
        continue;
      }
      List<SipGateway> parents = new ArrayList<>();
      for (int i = 0; r.spec.parentRefs != null && i < r.spec.parentRefs.size(); i++) {
        SipRoute.ParentRef ref = r.spec.parentRefs.get(i);
        if (ref == null || ref.name == null) {
          continue;
        }
        Doc g = gateways.get(ref.name);
        if (g == null) {
          errors.add(
              d.where()
                  + ": spec.parentRefs["
                  + i
                  + "].name: no "
                  + SipGateway.KIND
                  + " '"
                  + ref.name
                  + "' in this configuration (there is "
                  + namesOrNone(gateways)
                  + ")");
        } else {
          SipGateway gw = (SipGateway) g.resource();
          parents.add(gw);
          if (ref.sectionName != null
              && gw.spec != null
              && gw.spec.listeners != null
              && gw.spec.listeners.stream()
                  .noneMatch(l -> l != null && ref.sectionName.equals(l.name))) {
            errors.add(
                d.where()
                    + ": spec.parentRefs["
                    + i
                    + "].sectionName: "
                    + SipGateway.KIND
                    + " '"
                    + ref.name
                    + "' has no listener '"
                    + ref.sectionName
                    + "' (it has "
                    + gw.spec.listeners.stream()
                        .filter(java.util.Objects::nonNull)
                        .map(l -> l.name)
                        .toList()
                    + ")");
          }
        }
      }
      for (int i = 0; r.spec.rules != null && i < r.spec.rules.size(); i++) {
        SipRoute.Rule rule = r.spec.rules.get(i);
        if (rule == null) {
          continue;
        }
        String p = "spec.rules[" + i + "]";
        for (int m = 0; rule.matches != null && m < rule.matches.size(); m++) {
          SipRoute.Match match = rule.matches.get(m);
          if (match == null || match.listeners == null || parents.isEmpty()) {
            continue; // a missing parent is reported above
          }
          for (int k = 0; k < match.listeners.size(); k++) {
            String l = match.listeners.get(k);
            if (l != null && parents.stream().noneMatch(g -> listenerNames(g).contains(l))) {
              errors.add(
                  d.where()
                      + ": "
                      + p
                      + ".matches["
                      + m
                      + "].listeners["
                      + k
                      + "]: no listener '"
                      + l
                      + "' on the parent "
                      + (parents.size() == 1 ? "gateway" : "gateways")
                      + " ("
                      + String.join(
                          "; ",
                          parents.stream()
                              .map(
                                  g ->
                                      g.metadata.name
                                          + " has "
                                          + (listenerNames(g).isEmpty()
                                              ? "none"
                                              : String.join(", ", listenerNames(g))))
                              .toList())
                      + ")");
            }
          }
        }
        for (int b = 0; rule.backendRefs != null && b < rule.backendRefs.size(); b++) {
          SipRoute.BackendRef ref = rule.backendRefs.get(b);
          if (ref != null
              && SipDispatcher.KIND.equals(ref.kind)
              && ref.name != null
              && !dispatchers.containsKey(ref.name)) {
            errors.add(
                d.where()
                    + ": "
                    + p
                    + ".backendRefs["
                    + b
                    + "].name: no "
                    + SipDispatcher.KIND
                    + " '"
                    + ref.name
                    + "' in this configuration (there is "
                    + namesOrNone(dispatchers)
                    + ")");
          }
        }
      }
    }
  }

  private static String namesOrNone(Map<String, Doc> byName) {
    return byName.isEmpty() ? "none" : String.join(", ", byName.keySet());
  }

  private static List<String> listenerNames(SipGateway g) {
    List<String> names = new ArrayList<>();
    if (g.spec != null && g.spec.listeners != null) {
      for (SipGateway.Listener l : g.spec.listeners) {
        if (l != null && l.name != null) {
          names.add(l.name);
        }
      }
    }
    return names;
  }

  /** " (Kind/name)" as far as the document says, or "". */
  private static String describe(JsonNode n) {
    if (n == null || !n.isObject()) {
      return "";
    }
    JsonNode kind = n.get("kind");
    JsonNode meta = n.get("metadata");
    JsonNode name = meta == null ? null : meta.get("name");
    boolean hasKind = kind != null && kind.isValueNode() && !kind.isNull();
    boolean hasName = name != null && name.isValueNode() && !name.isNull();
    if (!hasKind && !hasName) {
      return "";
    }
    return " (" + (hasKind ? kind.asText() : "?") + "/" + (hasName ? name.asText() : "?") + ")";
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
