package io.sbc.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.sbc.api.ConfigException;
import io.sbc.api.ConfigReader;
import io.sbc.api.ObjectMeta;
import io.sbc.api.SipDispatcher;
import io.sbc.api.SipGateway;
import io.sbc.api.SipResource;
import io.sbc.api.SipRoute;
import io.sbc.api.status.Conditions;
import io.sbc.api.syntax.IpLiteral;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration of one gateway, resolved from the custom resources of its namespace: the
 * SipGateway document, the SipRoutes attached to it by their parentRefs and the SipDispatchers they
 * name, as the multi-document YAML that sbc-runtime reads (and that {@link ConfigReader} accepts).
 *
 * <p>What cannot be served is left out and recorded, so that one bad route does not stop a gateway:
 * a backendRef to a missing SipDispatcher, to one whose serviceRefs resolve to no endpoint at all,
 * or of kind Service (not resolved) is dropped (a rule left without destinations answers 500, as
 * Gateway API asks); a dispatcher's serviceRef destinations become the URIs of the Service's ready
 * endpoints ({@link ServiceEndpoints}), so that the runtime only sees URIs; a route or dispatcher
 * the reader refuses is left out with the reader's messages; a gateway the reader refuses has no
 * configuration at all ({@link #configYaml()} is null).
 */
public final class GatewayResolution {
  /** The key of the configuration in the ConfigMap (what sbc-runtime reads). */
  public static final String CONFIG_KEY = "config.yaml";

  private static final String SOURCE = CONFIG_KEY;

  private static final ObjectMapper COPY = new ObjectMapper();
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.USE_NATIVE_TYPE_ID))
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** "config.yaml: document 2 (SipRoute/name): reason" */
  private static final Pattern ERROR =
      Pattern.compile("^[^:]*: document \\d+ \\(([A-Za-z]+)/([^)]*)\\): (.*)$");

  /**
   * Matches of a route that older routes of the gateway already have, word for word: they never
   * apply (the older route's rule comes first). {@code whole}: every match of the route is taken,
   * so the route is not served at all.
   */
  public record Conflict(boolean whole, List<String> messages) {}

  /** A reference of a route that could not be resolved: a Gateway API reason and a message. */
  public record RefProblem(String reason, String message) {}

  private final SipGatewayResource gateway;
  private final List<SipRouteResource> attached;
  private final Map<String, List<RefProblem>> refProblems = new TreeMap<>();
  private final Map<String, List<String>> invalidRoutes = new TreeMap<>();
  private final Map<String, List<String>> invalidDispatchers = new TreeMap<>();
  private final Map<String, Conflict> conflicts = new TreeMap<>();
  private final List<String> gatewayErrors = new ArrayList<>();
  private final ServiceDirectory services;
  private final Map<String, ServiceEndpoints.Expansion> expansions = new TreeMap<>();
  private String configYaml;

  private GatewayResolution(
      SipGatewayResource gateway, List<SipRouteResource> attached, ServiceDirectory services) {
    this.gateway = gateway;
    this.attached = attached;
    this.services = services;
  }

  /**
   * Resolves a gateway against the routes and dispatchers there are, leaving the dispatchers'
   * serviceRefs as written (enough to judge routes, whose references are dispatchers).
   */
  public static GatewayResolution resolve(
      SipGatewayResource gateway,
      Collection<SipRouteResource> routes,
      Collection<SipDispatcherResource> dispatchers) {
    return resolve(gateway, routes, dispatchers, null);
  }

  /**
   * Resolves a gateway against the routes and dispatchers there are (of any namespace: those of
   * other namespaces are not considered), the dispatchers' serviceRefs through the directory into
   * the URIs of their ready endpoints (null: left as written).
   */
  public static GatewayResolution resolve(
      SipGatewayResource gateway,
      Collection<SipRouteResource> routes,
      Collection<SipDispatcherResource> dispatchers,
      ServiceDirectory services) {
    String ns = gateway.getMetadata().getNamespace();
    List<SipRouteResource> attached =
        routes.stream()
            .filter(r -> Objects.equals(ns, r.getMetadata().getNamespace()))
            .filter(r -> attaches(r, gateway))
            // Document order decides between rules of equal precedence: as Gateway API
            // resolves conflicts, the oldest route first, then by name, so that a route created
            // later cannot take over what an older one serves.
            .sorted(
                Comparator.comparing(
                        (SipRouteResource r) ->
                            Objects.requireNonNullElse(
                                r.getMetadata().getCreationTimestamp(), "9999"))
                    .thenComparing(r -> r.getMetadata().getName()))
            .toList();
    Map<String, SipDispatcherResource> byName = new TreeMap<>();
    for (SipDispatcherResource d : dispatchers) {
      if (Objects.equals(ns, d.getMetadata().getNamespace())) {
        byName.put(d.getMetadata().getName(), d);
      }
    }
    GatewayResolution res = new GatewayResolution(gateway, attached, services);
    res.findConflicts();
    res.run(byName);
    return res;
  }

  private static final ObjectMapper CANONICAL =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_EMPTY)
          .configure(
              com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * Gateway API's rule for conflicts between routes: the oldest (creationTimestamp, then name)
   * keeps what both ask for. Two matches are the same when they say the same thing (lists taken as
   * sets) and the routes attach to the same listeners; a rule without matches matches everything.
   * O(matches) with a map from match to the route that has it first.
   */
  private void findConflicts() {
    Map<String, String> owner = new java.util.HashMap<>();
    for (SipRouteResource r : attached) {
      String name = r.getMetadata().getName();
      String listeners = attachedListeners(r);
      List<String> messages = new ArrayList<>();
      int total = 0;
      List<SipRoute.Rule> rules = r.getSpec() == null ? List.of() : r.getSpec().rules;
      Map<String, String> mine = new java.util.HashMap<>();
      for (int i = 0; rules != null && i < rules.size(); i++) {
        SipRoute.Rule rule = rules.get(i);
        if (rule == null) {
          continue;
        }
        List<SipRoute.Match> matches =
            rule.matches == null || rule.matches.isEmpty()
                ? java.util.Collections.singletonList(null)
                : rule.matches;
        for (int j = 0; j < matches.size(); j++) {
          total++;
          String key = listeners + "|" + canonical(matches.get(j));
          String first = owner.get(key);
          String where =
              "spec.rules[" + i + "]" + (matches.get(j) == null ? "" : ".matches[" + j + "]");
          if (first != null) {
            messages.add(
                where
                    + " is the same match as one of SipRoute "
                    + first
                    + ", which is older (creationTimestamp, then name) and takes its requests");
          } else {
            mine.putIfAbsent(key, name);
          }
        }
      }
      owner.putAll(mine);
      if (!messages.isEmpty()) {
        conflicts.put(name, new Conflict(messages.size() == total, messages));
      }
    }
  }

  /** The listeners a route attaches to on this gateway: its sectionNames, "*" for all. */
  private String attachedListeners(SipRouteResource r) {
    TreeSet<String> names = new TreeSet<>();
    for (SipRoute.ParentRef p : r.getSpec().parentRefs) {
      if (names(r, p, gateway)) {
        if (p.sectionName == null) {
          return "*";
        }
        names.add(p.sectionName);
      }
    }
    return String.join(",", names);
  }

  /** A match as a string that two equal matches share (lists sorted: they are sets). */
  private static String canonical(SipRoute.Match m) {
    if (m == null) {
      return "{}";
    }
    com.fasterxml.jackson.databind.JsonNode tree = CANONICAL.valueToTree(m);
    if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      for (String field : List.of("methods", "sourceCidrs", "listeners", "transports", "headers")) {
        if (o.get(field) instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
          TreeSet<String> items = new TreeSet<>();
          a.forEach(
              x ->
                  items.add(
                      x.isTextual()
                          ? x.asText().toUpperCase(java.util.Locale.ROOT)
                          : x.toString()));
          o.set(field, CANONICAL.valueToTree(new ArrayList<>(items)));
        }
      }
    }
    try {
      return CANONICAL.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether a route names the gateway among its parentRefs (namespace: the route's by default). */
  public static boolean attaches(SipRouteResource route, SipGatewayResource gateway) {
    return parentRefIndex(route, gateway) >= 0;
  }

  /** The index of the route's parentRef naming the gateway, or -1. */
  static int parentRefIndex(SipRouteResource route, SipGatewayResource gateway) {
    if (route.getSpec() == null || route.getSpec().parentRefs == null) {
      return -1;
    }
    List<SipRoute.ParentRef> refs = route.getSpec().parentRefs;
    for (int i = 0; i < refs.size(); i++) {
      if (names(route, refs.get(i), gateway)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether parentRef {@code p} of the route names the gateway (namespace: the route's). */
  static boolean names(SipRouteResource route, SipRoute.ParentRef p, SipGatewayResource gateway) {
    String pns =
        p == null || p.namespace == null ? route.getMetadata().getNamespace() : p.namespace;
    return p != null
        && Objects.equals(p.name, gateway.getMetadata().getName())
        && Objects.equals(pns, gateway.getMetadata().getNamespace());
  }

  private void run(Map<String, SipDispatcherResource> dispatchers) {
    // In a cluster a listener on a loopback address can never be reached through the Service
    // (the local quickstart's 127.0.0.1 is the usual way this happens): refused, saying why.
    List<SipGateway.Listener> ls = gateway.getSpec().listeners;
    for (int i = 0; ls != null && i < ls.size(); i++) {
      SipGateway.Listener l = ls.get(i);
      byte[] a = l == null || l.address == null ? null : IpLiteral.toBytes(l.address);
      if (a != null && isLoopback(a)) {
        gatewayErrors.add(
            "spec.listeners["
                + i
                + "].address: "
                + l.address
                + " is a loopback address, which nothing reaches through the gateway's Service;"
                + " in a cluster listen on 0.0.0.0 (or ::)");
      }
    }
    if (!gatewayErrors.isEmpty()) {
      return;
    }
    // Each pass leaves out what the reader refused in the previous one; at most one pass per
    // document plus one.
    for (int pass = 0; pass <= attached.size() + dispatchers.size() + 1; pass++) {
      refProblems.clear();
      List<SipResource> docs = new ArrayList<>();
      docs.add(gatewayDocument());
      TreeSet<String> used = new TreeSet<>();
      for (SipRouteResource r : attached) {
        if (!invalidRoutes.containsKey(r.getMetadata().getName()) && !wholeConflict(r)) {
          docs.add(routeDocument(r, dispatchers, used));
        }
      }
      for (String name : used) {
        docs.add(dispatcherDocument(dispatchers.get(name), expansions.get(name)));
      }
      String yaml = write(docs);
      try {
        ConfigReader.read(SOURCE, yaml);
        configYaml = yaml;
        return;
      } catch (ConfigException e) {
        if (!exclude(e.errors())) {
          return;
        }
      }
    }
    gatewayErrors.add("the configuration could not be resolved");
  }

  /**
   * Records the refused documents; returns whether another pass may succeed (false when the gateway
   * itself, or nothing identifiable, was refused).
   */
  private boolean exclude(List<String> errors) {
    Map<String, List<String>> routes = new LinkedHashMap<>();
    Map<String, List<String>> disp = new LinkedHashMap<>();
    for (String line : errors) {
      Matcher m = ERROR.matcher(line);
      if (!m.matches()) {
        gatewayErrors.add(
            line.startsWith(SOURCE + ": ") ? line.substring(SOURCE.length() + 2) : line);
      } else if (SipRoute.KIND.equals(m.group(1))) {
        routes.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(3));
      } else if (SipDispatcher.KIND.equals(m.group(1))) {
        disp.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(3));
      } else {
        gatewayErrors.add(m.group(3));
      }
    }
    if (!gatewayErrors.isEmpty() || (routes.isEmpty() && disp.isEmpty())) {
      if (gatewayErrors.isEmpty()) {
        gatewayErrors.addAll(errors);
      }
      return false;
    }
    invalidRoutes.putAll(routes);
    invalidDispatchers.putAll(disp);
    return true;
  }

  /** 127.0.0.0/8 or ::1. */
  private static boolean isLoopback(byte[] a) {
    if (a.length == 4) {
      return a[0] == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[15] == 1;
  }

  private SipGateway gatewayDocument() {
    SipGateway g = new SipGateway();
    init(g, SipGateway.KIND, gateway.getMetadata().getName());
    g.spec = copy(gateway.getSpec(), SipGateway.Spec.class);
    return g;
  }

  private SipRoute routeDocument(
      SipRouteResource route,
      Map<String, SipDispatcherResource> dispatchers,
      TreeSet<String> used) {
    String name = route.getMetadata().getName();
    SipRoute r = new SipRoute();
    init(r, SipRoute.KIND, name);
    r.spec = copy(route.getSpec(), SipRoute.Spec.class);
    // Only this gateway, by name as the runtime knows it; the listeners the route attaches to
    // (sectionName) stay: none named (or one parentRef without) means every listener.
    String gwName = gateway.getMetadata().getName();
    TreeSet<String> sections = new TreeSet<>();
    boolean whole = false;
    for (SipRoute.ParentRef p : route.getSpec().parentRefs) {
      if (names(route, p, gateway)) {
        if (p.sectionName == null) {
          whole = true;
        } else {
          sections.add(p.sectionName);
        }
      }
    }
    r.spec.parentRefs = new ArrayList<>();
    if (whole || sections.isEmpty()) {
      SipRoute.ParentRef parent = new SipRoute.ParentRef();
      parent.name = gwName;
      r.spec.parentRefs.add(parent);
    } else {
      for (String section : sections) {
        SipRoute.ParentRef parent = new SipRoute.ParentRef();
        parent.name = gwName;
        parent.sectionName = section;
        r.spec.parentRefs.add(parent);
      }
    }
    String ns = gateway.getMetadata().getNamespace();
    for (int i = 0; r.spec.rules != null && i < r.spec.rules.size(); i++) {
      SipRoute.Rule rule = r.spec.rules.get(i);
      if (rule == null || rule.backendRefs == null || rule.backendRefs.isEmpty()) {
        continue;
      }
      List<SipRoute.BackendRef> kept = new ArrayList<>();
      for (int b = 0; b < rule.backendRefs.size(); b++) {
        SipRoute.BackendRef ref = rule.backendRefs.get(b);
        String at = "spec.rules[" + i + "].backendRefs[" + b + "]";
        if (ref == null || ref.uri != null || ref.kind == null) {
          kept.add(ref); // a URI, or something the reader will judge
        } else if ("Service".equals(ref.kind)) {
          // TODO: resolve Services to their endpoints through EndpointSlices (a dispatcher pool
          // the operator keeps up to date); until then such a backendRef is not served.
          problem(
              name,
              Conditions.REASON_INVALID_KIND,
              at
                  + ": kind Service ("
                  + ref.name
                  + ") is not supported yet: Services are not resolved to endpoints; use a"
                  + " SipDispatcher or a sip: URI");
        } else if (!SipDispatcher.KIND.equals(ref.kind)) {
          kept.add(ref);
        } else if (ref.namespace != null && !ref.namespace.equals(ns)) {
          problem(
              name,
              Conditions.REASON_BACKEND_NOT_FOUND,
              at
                  + ": SipDispatcher "
                  + ref.namespace
                  + "/"
                  + ref.name
                  + " is in another namespace (not supported)");
        } else if (!dispatchers.containsKey(ref.name)) {
          problem(
              name,
              Conditions.REASON_BACKEND_NOT_FOUND,
              at + ": SipDispatcher " + ns + "/" + ref.name + " not found");
        } else if (invalidDispatchers.containsKey(ref.name)) {
          problem(
              name,
              Conditions.REASON_BACKEND_NOT_FOUND,
              at
                  + ": SipDispatcher "
                  + ns
                  + "/"
                  + ref.name
                  + " is invalid: "
                  + String.join("; ", invalidDispatchers.get(ref.name)));
        } else if (!expansion(dispatchers.get(ref.name)).problems().isEmpty()
            && expansion(dispatchers.get(ref.name)).destinations().isEmpty()) {
          problem(
              name,
              Conditions.REASON_BACKEND_NOT_FOUND,
              at
                  + ": SipDispatcher "
                  + ns
                  + "/"
                  + ref.name
                  + " has no destination: "
                  + String.join(
                      "; ",
                      expansion(dispatchers.get(ref.name)).problems().stream()
                          .map(ServiceEndpoints.Outcome::message)
                          .toList()));
        } else {
          ref.namespace = null;
          kept.add(ref);
          used.add(ref.name);
        }
      }
      rule.backendRefs = kept;
      if (kept.isEmpty() && rule.reject == null && rule.redirect == null && rule.respond == null) {
        // Gateway API: requests to a rule whose backends are all invalid get a 500.
        rule.reject = new SipRoute.Reject();
        rule.reject.statusCode = 500;
        rule.reject.reason = "No backend resolved";
      }
    }
    return r;
  }

  /**
   * The dispatcher's serviceRefs resolved (once per resolution); an empty expansion when there is
   * nothing to resolve (no serviceRef, or no directory).
   */
  private ServiceEndpoints.Expansion expansion(SipDispatcherResource d) {
    if (services == null || !ServiceEndpoints.hasServiceRefs(d.getSpec())) {
      return EMPTY;
    }
    return expansions.computeIfAbsent(
        d.getMetadata().getName(),
        k ->
            ServiceEndpoints.expand(
                d.getMetadata().getNamespace(), d.getSpec().destinations, services));
  }

  private static final ServiceEndpoints.Expansion EMPTY =
      new ServiceEndpoints.Expansion(List.of(), List.of(), 0);

  private static SipDispatcher dispatcherDocument(
      SipDispatcherResource d, ServiceEndpoints.Expansion expansion) {
    SipDispatcher doc = new SipDispatcher();
    init(doc, SipDispatcher.KIND, d.getMetadata().getName());
    doc.spec = copy(d.getSpec(), SipDispatcher.Spec.class);
    if (expansion != null) {
      doc.spec.destinations = new ArrayList<>(expansion.destinations());
    }
    return doc;
  }

  private void problem(String route, String reason, String message) {
    refProblems.computeIfAbsent(route, k -> new ArrayList<>()).add(new RefProblem(reason, message));
  }

  private static void init(SipResource r, String kind, String name) {
    r.apiVersion = SipResource.API_VERSION;
    r.kind = kind;
    r.metadata = new ObjectMeta();
    r.metadata.name = name;
    r.metadata.labels = null;
  }

  private static <T> T copy(Object spec, Class<T> type) {
    try {
      return COPY.convertValue(spec == null ? COPY.createObjectNode() : spec, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot copy " + type.getSimpleName(), e);
    }
  }

  private String write(List<SipResource> docs) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Generated by the SBC operator from SipGateway ")
        .append(gateway.getMetadata().getNamespace())
        .append('/')
        .append(gateway.getMetadata().getName())
        .append(": do not edit.\n");
    for (SipResource d : docs) {
      try {
        sb.append(YAML.writeValueAsString(d));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write " + d.id(), e);
      }
    }
    return sb.toString();
  }

  /**
   * Why the reader refuses a dispatcher on its own (checked beside a minimal gateway), or an empty
   * list.
   */
  public static List<String> dispatcherErrors(SipDispatcherResource d) {
    SipGatewayResource probe = new SipGatewayResource();
    probe.getMetadata().setName("dispatcher-check");
    probe.getMetadata().setNamespace(d.getMetadata().getNamespace());
    SipGateway.Listener l = new SipGateway.Listener();
    l.name = "udp";
    l.protocol = "SIP-UDP";
    l.port = 5060;
    probe.getSpec().listeners.add(l);
    GatewayResolution res = new GatewayResolution(probe, List.of(), null);
    String yaml = res.write(List.of(res.gatewayDocument(), dispatcherDocument(d, null)));
    try {
      ConfigReader.read(SOURCE, yaml);
      return List.of();
    } catch (ConfigException e) {
      List<String> out = new ArrayList<>();
      for (String line : e.errors()) {
        Matcher m = ERROR.matcher(line);
        out.add(m.matches() ? m.group(3) : line);
      }
      return out;
    }
  }

  /** The resolved configuration (multi-document YAML), or null when the gateway was refused. */
  public String configYaml() {
    return configYaml;
  }

  /** Whether the gateway document itself was accepted. */
  public boolean accepted() {
    return configYaml != null;
  }

  /** Why the gateway was refused (empty when accepted). */
  public List<String> gatewayErrors() {
    return List.copyOf(gatewayErrors);
  }

  /** The routes attached to the gateway by their parentRefs, by name. */
  public List<SipRouteResource> attachedRoutes() {
    return attached;
  }

  /** The routes served (attached and accepted, not wholly taken by older routes). */
  public List<SipRouteResource> servedRoutes() {
    return attached.stream()
        .filter(r -> !invalidRoutes.containsKey(r.getMetadata().getName()) && !wholeConflict(r))
        .toList();
  }

  private boolean wholeConflict(SipRouteResource r) {
    Conflict c = conflicts.get(r.getMetadata().getName());
    return c != null && c.whole();
  }

  /** The route's matches that older routes have (null when none). */
  public Conflict conflict(String route) {
    return conflicts.get(route);
  }

  /** Unresolved references of a route (empty when all resolved). */
  public List<RefProblem> refProblems(String route) {
    return refProblems.getOrDefault(route, List.of());
  }

  /** Why the reader refused a route, or null when it was accepted. */
  public List<String> routeErrors(String route) {
    return invalidRoutes.get(route);
  }

  /** Every route with unresolved references, by name. */
  public Map<String, List<RefProblem>> allRefProblems() {
    return refProblems;
  }

  /** Every refused route, by name. */
  public Map<String, List<String>> invalidRoutes() {
    return invalidRoutes;
  }

  /** Every refused dispatcher, by name. */
  public Map<String, List<String>> invalidDispatchers() {
    return invalidDispatchers;
  }
}
