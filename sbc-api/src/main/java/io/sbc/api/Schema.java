package io.sbc.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of every document, written out by hand (no reflection, so that it works unchanged in a
 * native image): which fields a mapping has and what type each value is.
 *
 * <p>{@link #check} walks a parsed document against it, reporting every unknown field and every
 * value of the wrong type with its path, and returns a copy without them (and without explicit
 * nulls, so that defaults apply) that binds to the model without errors. A test keeps it in step
 * with the model classes.
 */
final class Schema {
  private Schema() {}

  /** A problem at a field path (spec.listeners[0].port). */
  record Problem(String path, String reason) {}

  /** The type of a value. */
  sealed interface Shape permits Obj, ListOf, MapOf, Scalar {}

  /** A mapping with these fields, in the order of the model. */
  record Obj(Map<String, Shape> fields) implements Shape {}

  record ListOf(Shape item) implements Shape {}

  /** A mapping with free keys (labels). */
  record MapOf(Shape value) implements Shape {}

  enum Scalar implements Shape {
    STRING,
    INT,
    BOOL,
    /** An integer or a string (a port by number or name: {@link IntOrName}). */
    INT_OR_STRING
  }

  private static Obj obj(Object... nameShape) {
    Map<String, Shape> m = new LinkedHashMap<>();
    for (int i = 0; i < nameShape.length; i += 2) {
      m.put((String) nameShape[i], (Shape) nameShape[i + 1]);
    }
    return new Obj(m);
  }

  private static final Scalar S = Scalar.STRING;
  private static final Scalar I = Scalar.INT;
  private static final Scalar B = Scalar.BOOL;
  private static final Scalar IS = Scalar.INT_OR_STRING;

  static final Obj TOPOLOGY_HIDING = obj("enabled", B, "callId", B, "fromToHost", B);
  static final Obj NAT = obj("detect", new ListOf(S), "keepaliveSeconds", I);
  static final Obj DNS =
      obj("servers", new ListOf(S), "queryTimeoutMillis", I, "negativeCacheSeconds", I);
  static final Obj OBJECT_META = obj("name", S, "namespace", S, "labels", new MapOf(S));

  static final Obj TLS_CERTIFICATE_FILES = obj("certificateFile", S, "keyFile", S);
  static final Obj TLS_LISTENER =
      obj(
          "certificates",
          new ListOf(TLS_CERTIFICATE_FILES),
          "certificateRefs",
          new ListOf(obj("name", S, "kind", S)),
          "clientCertificate",
          S,
          "clientCaFile",
          S);
  static final Obj TLS_CLIENT = obj("trustFile", S, "certificate", TLS_CERTIFICATE_FILES);

  static final Obj LISTENER =
      obj(
          "name", S,
          "protocol", S,
          "address", S,
          "port", I,
          "advertisedAddress", S,
          "allow", new ListOf(S),
          "deny", new ListOf(S),
          "tls", TLS_LISTENER);
  static final Obj ANTI_FLOOD =
      obj(
          "requestsPerSecond", I,
          "burst", I,
          "banSeconds", I,
          "exempt", new ListOf(S));
  static final Obj SCANNERS = obj("block", B, "userAgents", new ListOf(S));
  static final Obj PROXY = obj("mode", S, "maxForwards", I);
  static final Obj TIMERS = obj("t1", I, "t2", I, "t4", I, "timerC", I, "timerD", I);
  static final Obj LIMITS =
      obj(
          "maxMessageSize", I,
          "maxHeaders", I,
          "maxTcpConnections", I,
          "maxOutboundTcpConnections", I,
          "maxTcpConnectionsPerSource", I,
          "tcpIdleTimeoutSeconds", I,
          "tcpMessageTimeoutSeconds", I,
          "webSocketPingSeconds", I,
          "maxTcpWriteQueueBytes", I,
          "maxCallSeconds", I);
  static final Obj SEALING =
      obj(
          "secret",
          S,
          "secretFile",
          S,
          "previousSecrets",
          new ListOf(S),
          "previousSecretFiles",
          new ListOf(S));
  static final Obj AUTOSCALING =
      obj(
          "minReplicas", I,
          "maxReplicas", I,
          "targetCPUUtilizationPercentage", I,
          "targetActiveCallsPerPod", I);
  static final Obj GATEWAY_CALL_LIMITS =
      obj("maxCalls", I, "maxCallsPerSecond", I, "retryAfterSeconds", I);
  static final Obj RESOURCES = obj("requests", new MapOf(S), "limits", new MapOf(S));
  static final Obj MEDIA_ANCHORING =
      obj(
          "enabled", B,
          "replaceOrigin", B,
          "replaceSessionConnection", B,
          "ice", S,
          "transportProtocol", S,
          "recordCall", B,
          "onFailure", S,
          "flags", new ListOf(S),
          "direction", new ListOf(S));
  static final Obj MEDIA_INSTANCE = obj("address", S, "weight", I);
  static final Obj MEDIA =
      obj(
          "mode", S,
          "image", S,
          "args", new ListOf(S),
          "resources", RESOURCES,
          "rtpPortMin", I,
          "rtpPortMax", I,
          "advertisedAddress", S,
          "instances", new ListOf(MEDIA_INSTANCE),
          "anchoring", MEDIA_ANCHORING,
          "timeoutMillis", I,
          "retries", I,
          "pingIntervalSeconds", I);
  static final Obj TOLERATION =
      obj("key", S, "operator", S, "value", S, "effect", S, "tolerationSeconds", I);
  static final Obj INFRASTRUCTURE =
      obj(
          "serviceAnnotations", new MapOf(S),
          "loadBalancerClass", S,
          "loadBalancerSourceRanges", new ListOf(S),
          "loadBalancerIP", S,
          "nodeSelector", new MapOf(S),
          "tolerations", new ListOf(TOLERATION),
          "spreadAcrossZones", B);
  static final Obj SUBSCRIBER =
      obj("username", S, "domain", S, "ha1", S, "ha1Sha256", S, "passwordFile", S);
  static final Obj ALIAS = obj("user", S, "aor", S);
  static final Obj REGISTRAR =
      obj(
          "domains", new ListOf(S),
          "minExpires", I,
          "maxExpires", I,
          "defaultExpires", I,
          "maxContactsPerAor", I,
          "whenFull", S,
          "maxBindings", I,
          "forking", S,
          "digestAlgorithms", new ListOf(S),
          "nonceLifetimeSeconds", I,
          "maxAuthFailures", I,
          "authFailureBlockSeconds", I,
          "subscribers", new ListOf(SUBSCRIBER),
          "aliases", new ListOf(ALIAS));
  static final Obj GATEWAY_SPEC =
      obj(
          "listeners", new ListOf(LISTENER),
          "domains", new ListOf(S),
          "proxy", PROXY,
          "timers", TIMERS,
          "limits", LIMITS,
          "sealing", SEALING,
          "tlsClient", TLS_CLIENT,
          "topologyHiding", TOPOLOGY_HIDING,
          "nat", NAT,
          "antiFlood", ANTI_FLOOD,
          "scanners", SCANNERS,
          "dns", DNS,
          "replicas", I,
          "autoscaling", AUTOSCALING,
          "callLimits", GATEWAY_CALL_LIMITS,
          "serviceType", S,
          "resources", RESOURCES,
          "terminationGracePeriodSeconds", I,
          "infrastructure", INFRASTRUCTURE,
          "media", MEDIA,
          "registrar", REGISTRAR);
  static final Obj GATEWAY =
      obj("apiVersion", S, "kind", S, "metadata", OBJECT_META, "spec", GATEWAY_SPEC);

  static final Obj PARENT_REF = obj("name", S, "namespace", S, "sectionName", S);
  static final Obj STRING_MATCH = obj("type", S, "value", S);
  static final Obj URI_MATCH = obj("user", STRING_MATCH, "host", STRING_MATCH);
  static final Obj HEADER_MATCH = obj("name", S, "type", S, "value", S);
  static final Obj MATCH =
      obj(
          "methods", new ListOf(S),
          "requestUri", URI_MATCH,
          "from", URI_MATCH,
          "to", URI_MATCH,
          "headers", new ListOf(HEADER_MATCH),
          "sourceCidrs", new ListOf(S),
          "listeners", new ListOf(S),
          "transports", new ListOf(S));
  static final Obj REPLACE = obj("pattern", S, "substitution", S);
  static final Obj REWRITE_USER = obj("stripPrefix", I, "replace", REPLACE, "addPrefix", S);
  static final Obj HEADER = obj("name", S, "value", S);
  static final Obj REQUEST_HEADER_MODIFIER =
      obj("add", new ListOf(HEADER), "set", new ListOf(HEADER), "remove", new ListOf(S));
  static final Obj REWRITE_REQUEST_URI = obj("host", S, "port", I);
  static final Obj RECORD_ROUTE = obj("enabled", B);
  static final Obj FILTER =
      obj(
          "type", S,
          "rewriteUser", REWRITE_USER,
          "requestHeaderModifier", REQUEST_HEADER_MODIFIER,
          "rewriteRequestUri", REWRITE_REQUEST_URI,
          "recordRoute", RECORD_ROUTE);
  static final Obj BACKEND_REF =
      obj(
          "uri", S,
          "kind", S,
          "name", S,
          "namespace", S,
          "weight", I,
          "priority", I);
  static final Obj FAILOVER = obj("codes", new ListOf(S));
  static final Obj REJECT = obj("statusCode", I, "reason", S);
  static final Obj REDIRECT = obj("statusCode", I, "contacts", new ListOf(S));
  static final Obj RESPOND = obj("statusCode", I, "reason", S);
  static final Obj CALL_LIMITS =
      obj(
          "maxCalls", I,
          "maxCallsPerSecond", I,
          "maxCallsPerSource", I,
          "retryAfterSeconds", I);
  static final Obj AUTHENTICATION =
      obj("digest", B, "trustedSources", new ListOf(S), "checkFrom", B);
  static final Obj RULE =
      obj(
          "name", S,
          "matches", new ListOf(MATCH),
          "filters", new ListOf(FILTER),
          "recordRoute", B,
          "forking", S,
          "backendRefs", new ListOf(BACKEND_REF),
          "failover", FAILOVER,
          "reject", REJECT,
          "redirect", REDIRECT,
          "respond", RESPOND,
          "allowRelay", B,
          "allowInDialog", B,
          "topologyHiding", TOPOLOGY_HIDING,
          "nat", NAT,
          "callLimits", CALL_LIMITS,
          "media", MEDIA_ANCHORING,
          "registrar", S,
          "authentication", AUTHENTICATION);
  static final Obj ROUTE_SPEC =
      obj("parentRefs", new ListOf(PARENT_REF), "rules", new ListOf(RULE));
  static final Obj ROUTE =
      obj("apiVersion", S, "kind", S, "metadata", OBJECT_META, "spec", ROUTE_SPEC);

  static final Obj SERVICE_REF = obj("name", S, "namespace", S, "port", IS, "transport", S);
  static final Obj DESTINATION =
      obj("uri", S, "serviceRef", SERVICE_REF, "weight", I, "priority", I, "maxCalls", I);
  static final Obj PROBE =
      obj(
          "enabled", B,
          "intervalMillis", I,
          "timeoutMillis", I,
          "failureThreshold", I,
          "successThreshold", I);
  static final Obj DISPATCHER_SPEC =
      obj(
          "destinations", new ListOf(DESTINATION),
          "algorithm", S,
          "hashKey", S,
          "probe", PROBE);
  static final Obj DISPATCHER =
      obj("apiVersion", S, "kind", S, "metadata", OBJECT_META, "spec", DISPATCHER_SPEC);

  /** The document shape of a kind, or null for an unknown kind. */
  static Obj ofKind(String kind) {
    if (SipGateway.KIND.equals(kind)) {
      return GATEWAY;
    }
    if (SipRoute.KIND.equals(kind)) {
      return ROUTE;
    }
    if (SipDispatcher.KIND.equals(kind)) {
      return DISPATCHER;
    }
    return null;
  }

  /**
   * Checks a value against a shape, adding a problem for every unknown field and wrongly typed
   * value; returns the value without them and without null fields, or null when the value itself is
   * unusable. List elements that are unusable become null so that indexes stay as written.
   */
  static JsonNode check(JsonNode n, Shape shape, String path, List<Problem> out) {
    if (shape instanceof Obj o) {
      if (!n.isObject()) {
        out.add(new Problem(path, "expected a mapping (was " + describe(n) + ")"));
        return null;
      }
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        String name = e.getKey();
        String p = path.isEmpty() ? name : path + "." + name;
        Shape fs = o.fields().get(name);
        if (fs == null) {
          out.add(
              new Problem(
                  p, "unknown field (known: " + String.join(", ", o.fields().keySet()) + ")"));
        } else if (!e.getValue().isNull()) {
          JsonNode v = check(e.getValue(), fs, p, out);
          if (v != null) {
            copy.set(name, v);
          }
        }
      }
      return copy;
    }
    if (shape instanceof ListOf l) {
      if (!n.isArray()) {
        out.add(new Problem(path, "expected a list (was " + describe(n) + ")"));
        return null;
      }
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < n.size(); i++) {
        String p = path + "[" + i + "]";
        JsonNode item = n.get(i);
        JsonNode v = null;
        if (item.isNull()) {
          out.add(new Problem(p, "empty list entry"));
        } else {
          v = check(item, l.item(), p, out);
        }
        copy.add(v == null ? NullNode.getInstance() : v);
      }
      return copy;
    }
    if (shape instanceof MapOf m) {
      if (!n.isObject()) {
        out.add(new Problem(path, "expected a mapping (was " + describe(n) + ")"));
        return null;
      }
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        if (e.getValue().isNull()) {
          out.add(new Problem(path + "." + e.getKey(), "expected a value"));
          continue;
        }
        JsonNode v = check(e.getValue(), m.value(), path + "." + e.getKey(), out);
        if (v != null) {
          copy.set(e.getKey(), v);
        }
      }
      return copy;
    }
    switch ((Scalar) shape) {
      case STRING:
        if (n.isTextual()) {
          return n;
        }
        out.add(
            new Problem(
                path,
                "expected a string (was "
                    + describe(n)
                    + (n.isValueNode() ? "; quote it to make it a string" : "")
                    + ")"));
        return null;
      case INT:
        if (n.isIntegralNumber() && n.canConvertToInt()) {
          return n;
        }
        if (n.isIntegralNumber()) {
          out.add(new Problem(path, "number out of range (was " + n.asText() + ")"));
        } else {
          out.add(new Problem(path, "expected an integer (was " + describe(n) + ")"));
        }
        return null;
      case INT_OR_STRING:
        if (n.isTextual() || (n.isIntegralNumber() && n.canConvertToInt())) {
          return n;
        }
        out.add(
            new Problem(
                path,
                "expected a number or a name (was "
                    + describe(n)
                    + (n.isIntegralNumber() ? ", out of range" : "")
                    + ")"));
        return null;
      case BOOL:
      default:
        if (n.isBoolean()) {
          return n;
        }
        out.add(new Problem(path, "expected true or false (was " + describe(n) + ")"));
        return null;
    }
  }

  /** A value as messages show it: 'abc', 12, true, a mapping, a list. */
  static String describe(JsonNode n) {
    if (n.isObject()) {
      return "a mapping";
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isTextual()) {
      return "'" + n.asText() + "'";
    }
    return n.asText();
  }
}
