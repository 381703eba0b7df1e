package io.sbc.runtime.routing;

import io.sbc.api.SipRoute;
import io.sbc.api.syntax.HostName;
import io.sbc.api.syntax.IpLiteral;
import io.sbc.api.syntax.RegularExpression;
import io.sbc.api.syntax.SipGrammar;
import io.sbc.api.syntax.Substitution;
import io.sbc.runtime.sip.proxy.FailoverPolicy;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.transport.Protocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Compiles the SipRoutes of a gateway into a {@link RoutingTable}: patterns compiled once (RE2),
 * prefix rules into a trie, the rest sorted by precedence. What is written into requests and
 * answers from the configuration (header lines, reason phrases, hosts) is checked with the
 * validator's own syntax rules, so a model built without {@code ConfigReader} cannot inject a line
 * either.
 */
public final class RouteCompiler {
  /** Turns a backend URI into a target, or throws IllegalArgumentException naming the problem. */
  @FunctionalInterface
  public interface TargetResolver {
    Target resolve(String uri);
  }

  private final Set<String> servedHosts;
  private final Function<String, DestinationPool> pools;
  private final TargetResolver targets;
  private final Supplier<RandomGenerator> random;
  private final io.sbc.api.TopologyHiding hiding;
  private final io.sbc.api.NatTraversal nat;
  private final List<String> errors = new ArrayList<>();
  private io.sbc.api.MediaAnchoring media;
  // Policies are immutable and hold a table of 700 flags: rules with the same codes share one
  // (a million-rule LCR table would otherwise spend 700 MB on copies of the default).
  private final Map<List<String>, FailoverPolicy> failovers = new HashMap<>();

  /**
   * @param servedHosts lower-case hosts that mean this gateway (domains, listener addresses)
   * @param pools dispatchers by name (null result: unknown)
   * @param targets resolves static backend URIs
   * @param random the randomness of weighted choices
   */
  public RouteCompiler(
      Set<String> servedHosts,
      Function<String, DestinationPool> pools,
      TargetResolver targets,
      Supplier<RandomGenerator> random) {
    this(servedHosts, pools, targets, random, null, null);
  }

  /**
   * @param hiding the gateway's topology hiding (a rule's own wins); null for none
   * @param nat the gateway's NAT traversal (a rule's own wins); null for none
   */
  public RouteCompiler(
      Set<String> servedHosts,
      Function<String, DestinationPool> pools,
      TargetResolver targets,
      Supplier<RandomGenerator> random,
      io.sbc.api.TopologyHiding hiding,
      io.sbc.api.NatTraversal nat) {
    this.hiding = hiding;
    this.nat = nat;
    Set<String> served = new HashSet<>();
    for (String h : servedHosts) {
      served.add(hostKey(h));
    }
    this.servedHosts = Set.copyOf(served);
    this.pools = pools;
    this.targets = targets;
    this.random = random;
  }

  /**
   * The gateway's media anchoring (a rule's own wins); null (the default) when the gateway has no
   * RTPengine: then no rule anchors, whatever it says.
   */
  public RouteCompiler media(io.sbc.api.MediaAnchoring gatewayDefault) {
    this.media = gatewayDefault;
    return this;
  }

  /** Problems found while compiling, each naming the route and rule. */
  public List<String> errors() {
    return errors;
  }

  /**
   * The name a rule goes by in decisions, logs, call limits and metrics: its {@code name}, else
   * where it is written ("SipRoute/to-pbx: spec.rules[0]").
   */
  public static String ruleName(SipRoute route, int index) {
    SipRoute.Rule r = route.spec.rules.get(index);
    return r != null && r.name != null ? r.name : route.id() + ": spec.rules[" + index + "]";
  }

  public RoutingTable compile(List<SipRoute> routes) {
    return compile(routes, null);
  }

  /**
   * Compiles the routes of gateway {@code gateway}: a route attached to one of its listeners only
   * (parentRef sectionName) has its rules apply only to requests arriving on that listener.
   */
  public RoutingTable compile(List<SipRoute> routes, String gateway) {
    List<CompiledRule> rules = new ArrayList<>();
    for (SipRoute route : routes) {
      Set<String> sections = gateway == null ? null : sectionsOf(route, gateway);
      for (int i = 0; i < route.spec.rules.size(); i++) {
        String where = route.id() + ": spec.rules[" + i + "]";
        try {
          SipRoute.Rule r = route.spec.rules.get(i);
          List<SipRoute.Match> matches = r.matches;
          if (sections != null) {
            matches = onListeners(r.matches, sections);
            if (matches.isEmpty()) {
              continue; // every match names other listeners: never applies here
            }
          }
          rules.add(rule(r, matches, where, rules.size()));
        } catch (RuntimeException e) {
          errors.add(where + ": " + e.getMessage());
        }
      }
    }
    return index(rules);
  }

  /**
   * The listeners the route is attached to on this gateway (parentRef sectionName); null when it is
   * attached to the whole gateway (a parentRef without sectionName wins: every listener).
   */
  private static Set<String> sectionsOf(SipRoute route, String gateway) {
    Set<String> sections = new HashSet<>();
    for (SipRoute.ParentRef p : route.spec.parentRefs) {
      if (p != null && gateway.equals(p.name)) {
        if (p.sectionName == null) {
          return null;
        }
        sections.add(p.sectionName);
      }
    }
    return sections.isEmpty() ? null : sections;
  }

  /**
   * Copies of the matches that apply only on {@code listeners} (a match without a listener
   * condition: every request arriving there); empty when each names other listeners.
   */
  private static List<SipRoute.Match> onListeners(
      List<SipRoute.Match> matches, Set<String> listeners) {
    List<SipRoute.Match> in =
        matches == null || matches.isEmpty() ? List.of(new SipRoute.Match()) : matches;
    List<SipRoute.Match> out = new ArrayList<>();
    for (SipRoute.Match m : in) {
      List<String> on = new ArrayList<>();
      for (String l : listeners) {
        if (m.listeners == null || m.listeners.isEmpty() || m.listeners.contains(l)) {
          on.add(l);
        }
      }
      if (on.isEmpty()) {
        continue;
      }
      SipRoute.Match c = new SipRoute.Match();
      c.methods = m.methods;
      c.requestUri = m.requestUri;
      c.from = m.from;
      c.to = m.to;
      c.headers = m.headers;
      c.sourceCidrs = m.sourceCidrs;
      c.transports = m.transports;
      c.listeners = on;
      out.add(c);
    }
    return out;
  }

  /** Builds the table from compiled rules (also used by benchmarks that build rules directly). */
  RoutingTable index(List<CompiledRule> rules) {
    Map<String, List<RoutingTable.Entry>> exact = new HashMap<>();
    Map<String, List<RoutingTable.Entry>> prefix = new LinkedHashMap<>();
    List<RoutingTable.Entry> patterns = new ArrayList<>();
    List<RoutingTable.Entry> generic = new ArrayList<>();
    for (CompiledRule r : rules) {
      for (CompiledMatch m : r.matches) {
        RoutingTable.Entry e = new RoutingTable.Entry(r, m);
        StringMatcher u = m.ruriUser;
        if (u == null) {
          generic.add(e);
        } else if (u.type == StringMatcher.Type.EXACT) {
          exact.computeIfAbsent(u.value, k -> new ArrayList<>()).add(e);
        } else if (u.type == StringMatcher.Type.PREFIX) {
          prefix.computeIfAbsent(u.value, k -> new ArrayList<>(1)).add(e);
        } else {
          patterns.add(e);
        }
      }
    }
    // Within a class: more conditions first, then document order.
    Comparator<RoutingTable.Entry> precedence =
        Comparator.<RoutingTable.Entry>comparingInt(e -> -e.match().conditions)
            .thenComparingInt(e -> e.rule().order);
    Map<String, RoutingTable.Entry[]> exactIndex = new HashMap<>();
    exact.forEach((k, v) -> exactIndex.put(k, sorted(v, precedence)));
    PrefixTrie trie = new PrefixTrie();
    RoutingTable.Entry[][] prefixEntries = new RoutingTable.Entry[prefix.size()][];
    int id = 0;
    for (Map.Entry<String, List<RoutingTable.Entry>> p : prefix.entrySet()) {
      trie.put(p.getKey(), id);
      prefixEntries[id++] = sorted(p.getValue(), precedence);
    }
    trie.trim();
    return new RoutingTable(
        exactIndex,
        trie,
        prefixEntries,
        sorted(patterns, precedence),
        sorted(generic, precedence),
        servedHosts,
        random,
        rules.size());
  }

  private static RoutingTable.Entry[] sorted(
      List<RoutingTable.Entry> l, Comparator<RoutingTable.Entry> c) {
    RoutingTable.Entry[] a = l.toArray(new RoutingTable.Entry[0]);
    Arrays.sort(a, c);
    return a;
  }

  private CompiledRule rule(SipRoute.Rule r, List<SipRoute.Match> ms, String where, int order) {
    CompiledMatch[] matches;
    if (ms == null || ms.isEmpty()) {
      matches = new CompiledMatch[] {match(new SipRoute.Match())};
    } else {
      matches = ms.stream().map(this::match).toArray(CompiledMatch[]::new);
    }
    String name = r.name != null ? r.name : where;
    boolean recordRoute = r.recordRoute == null || r.recordRoute;
    List<CompiledRule.UserRewrite> rewrites = new ArrayList<>();
    String newHost = null;
    int newPort = 0;
    List<String> remove = new ArrayList<>();
    List<String> add = new ArrayList<>();
    for (SipRoute.Filter f : r.filters) {
      switch (f.type) {
        case "RewriteUser" -> {
          SipRoute.RewriteUser u = f.rewriteUser;
          if (u.addPrefix != null && !SipGrammar.isUserPart(u.addPrefix)) {
            throw new IllegalArgumentException(
                "rewriteUser.addPrefix: not characters of a URI user: "
                    + CompiledRule.printable(u.addPrefix));
          }
          Substitution replace = null;
          if (u.replace != null) {
            replace =
                Substitution.compile(
                    RegularExpression.compile(u.replace.pattern, false), u.replace.substitution);
            if (!replace.literalTextIsUserText()) {
              throw new IllegalArgumentException(
                  "rewriteUser.replace.substitution: not characters of a URI user: "
                      + CompiledRule.printable(u.replace.substitution));
            }
          }
          rewrites.add(
              new CompiledRule.UserRewrite(
                  u.stripPrefix == null ? 0 : u.stripPrefix, replace, u.addPrefix));
        }
        case "RequestHeaderModifier" -> {
          SipRoute.RequestHeaderModifier h = f.requestHeaderModifier;
          for (String n : h.remove) {
            remove.add(token(n));
          }
          for (SipRoute.Header s : h.set) {
            remove.add(token(s.name));
            add.add(headerLine(s));
          }
          for (SipRoute.Header a : h.add) {
            add.add(headerLine(a));
          }
        }
        case "RewriteRequestUri" -> {
          if (f.rewriteRequestUri.host != null) {
            newHost = uriHost(f.rewriteRequestUri.host);
          }
          if (f.rewriteRequestUri.port != null) {
            newPort = f.rewriteRequestUri.port;
          }
        }
        case "RecordRoute" -> recordRoute = f.recordRoute == null || f.recordRoute.enabled;
        default -> throw new IllegalArgumentException("unknown filter type " + f.type);
      }
    }
    int status = 0;
    String reason = null;
    String extra = null;
    if (r.reject != null) {
      status = r.reject.statusCode;
      reason = r.reject.reason != null ? text(r.reject.reason) : defaultReason(status);
    } else if (r.redirect != null) {
      status = r.redirect.statusCode;
      reason = defaultReason(status);
      StringBuilder sb = new StringBuilder();
      for (String c : r.redirect.contacts) {
        if (!SipGrammar.isText(c) || c.indexOf(' ') >= 0 || c.indexOf('>') >= 0) {
          throw new IllegalArgumentException(
              "redirect contact is not a URI: " + CompiledRule.printable(c));
        }
        sb.append("Contact: <").append(c).append(">\r\n");
      }
      extra = sb.toString();
    } else if (r.respond != null) {
      status = r.respond.statusCode;
      reason = r.respond.reason != null ? text(r.respond.reason) : defaultReason(status);
    }
    List<SipRoute.BackendRef> refs = new ArrayList<>(r.backendRefs);
    refs.sort(Comparator.comparingInt(b -> b.priority == null ? 0 : b.priority));
    CompiledRule.Backend[] backends = new CompiledRule.Backend[refs.size()];
    for (int i = 0; i < refs.size(); i++) {
      SipRoute.BackendRef b = refs.get(i);
      int w = b.weight == null ? 1 : b.weight;
      int p = b.priority == null ? 0 : b.priority;
      if (b.uri != null) {
        backends[i] = new CompiledRule.Backend(targets.resolve(b.uri), null, w, p);
      } else {
        DestinationPool pool = pools.apply(b.name);
        if (pool == null) {
          throw new IllegalArgumentException("no SipDispatcher named " + b.name);
        }
        backends[i] = new CompiledRule.Backend(null, pool, w, p);
      }
    }
    if (status == 0 && backends.length == 0 && r.registrar == null) {
      throw new IllegalArgumentException("no action: backendRefs, reject, redirect or respond");
    }
    CompiledRule compiled =
        new CompiledRule(
            name,
            order,
            Boolean.TRUE.equals(r.allowRelay),
            Boolean.TRUE.equals(r.allowInDialog),
            matches,
            status,
            reason,
            extra,
            backends,
            "parallel".equals(r.forking),
            recordRoute,
            r.failover == null ? FailoverPolicy.DEFAULT : failover(r.failover.codes),
            rewrites.toArray(new CompiledRule.UserRewrite[0]),
            newHost,
            newPort,
            remove,
            add);
    compiled.edge =
        io.sbc.runtime.sip.proxy.EdgePolicy.of(
            r.topologyHiding != null ? r.topologyHiding : hiding, r.nat != null ? r.nat : nat);
    SipRoute.CallLimits cl = r.callLimits;
    if (cl != null) {
      compiled.callLimit =
          new io.sbc.runtime.sip.proxy.CallLimit(
              cl.maxCalls == null ? 0 : cl.maxCalls,
              cl.maxCallsPerSecond == null ? 0 : cl.maxCallsPerSecond,
              cl.maxCallsPerSource == null ? 0 : cl.maxCallsPerSource,
              cl.retryAfterSeconds == null ? 0 : cl.retryAfterSeconds);
    }
    compiled.access = access(r);
    if (media != null) {
      compiled.media = io.sbc.runtime.sip.proxy.MediaPolicy.of(r.media != null ? r.media : media);
    }
    return compiled;
  }

  /** The rule's registrar part and authentication. */
  private static io.sbc.runtime.sip.proxy.AccessPolicy access(SipRoute.Rule r) {
    io.sbc.runtime.sip.proxy.AccessPolicy.Registrar role =
        r.registrar == null
            ? io.sbc.runtime.sip.proxy.AccessPolicy.Registrar.NONE
            : switch (r.registrar) {
              case "Register" -> io.sbc.runtime.sip.proxy.AccessPolicy.Registrar.REGISTER;
              case "Lookup" -> io.sbc.runtime.sip.proxy.AccessPolicy.Registrar.LOOKUP;
              default -> throw new IllegalArgumentException("unknown registrar " + r.registrar);
            };
    SipRoute.Authentication a = r.authentication;
    if (a == null) {
      return role == io.sbc.runtime.sip.proxy.AccessPolicy.Registrar.NONE
          ? io.sbc.runtime.sip.proxy.AccessPolicy.NONE
          : new io.sbc.runtime.sip.proxy.AccessPolicy(role, false, false, x -> false, false);
    }
    CidrSet trusted =
        a.trustedSources == null || a.trustedSources.isEmpty()
            ? null
            : CidrSet.of(a.trustedSources);
    return new io.sbc.runtime.sip.proxy.AccessPolicy(
        role,
        true,
        !Boolean.FALSE.equals(a.digest),
        trusted == null ? x -> false : trusted::contains,
        !Boolean.FALSE.equals(a.checkFrom));
  }

  /** A header name: an RFC 3261 token. */
  private static String token(String name) {
    if (!SipGrammar.isToken(name)) {
      throw new IllegalArgumentException(
          "not a header name (a token): " + CompiledRule.printable(name));
    }
    return name;
  }

  /** One header line to add, ending in CRLF; its value on one line. */
  private static String headerLine(SipRoute.Header h) {
    return token(h.name) + ": " + text(h.value) + "\r\n";
  }

  /** Text for one line of a message: no CR, LF or other control character. */
  private static String text(String s) {
    if (!SipGrammar.isText(s)) {
      throw new IllegalArgumentException(
          "line breaks or control characters in " + CompiledRule.printable(s));
    }
    return s;
  }

  /**
   * A configured host as a Request-URI writes it: an IP literal canonical and, for IPv6, in
   * brackets (configured without them); a host name as given.
   */
  private static String uriHost(String host) {
    String literal = IpLiteral.uriHost(host);
    if (literal != null) {
      return literal;
    }
    if (!HostName.isValid(host)) {
      throw new IllegalArgumentException(
          "not a host name or IP address: " + CompiledRule.printable(host));
    }
    return host;
  }

  private FailoverPolicy failover(List<String> codes) {
    if (codes.equals(io.sbc.api.Defaults.FAILOVER_CODES)) {
      return FailoverPolicy.DEFAULT;
    }
    FailoverPolicy p = failovers.get(codes);
    if (p == null) {
      p = FailoverPolicy.of(codes);
      failovers.put(List.copyOf(codes), p);
    }
    return p;
  }

  private CompiledMatch match(SipRoute.Match m) {
    Set<String> methods = m.methods == null || m.methods.isEmpty() ? null : Set.copyOf(m.methods);
    StringMatcher ru = null;
    StringMatcher rh = null;
    if (m.requestUri != null) {
      ru = user(m.requestUri.user);
      rh = host(m.requestUri.host);
    }
    StringMatcher fu = null;
    StringMatcher fh = null;
    if (m.from != null) {
      fu = user(m.from.user);
      fh = host(m.from.host);
    }
    StringMatcher tu = null;
    StringMatcher th = null;
    if (m.to != null) {
      tu = user(m.to.user);
      th = host(m.to.host);
    }
    List<CompiledMatch.HeaderCondition> headers = new ArrayList<>();
    for (SipRoute.HeaderMatch h : m.headers) {
      StringMatcher v = "Present".equals(h.type) ? null : new StringMatcher(h.type, h.value, false);
      headers.add(new CompiledMatch.HeaderCondition(h.name, RequestFacts.codeOf(h.name), v));
    }
    CidrSet sources =
        m.sourceCidrs == null || m.sourceCidrs.isEmpty() ? null : CidrSet.of(m.sourceCidrs);
    Set<String> listeners =
        m.listeners == null || m.listeners.isEmpty() ? null : Set.copyOf(m.listeners);
    Set<Protocol> transports = null;
    if (m.transports != null && !m.transports.isEmpty()) {
      transports = new HashSet<>();
      for (String t : m.transports) {
        transports.add(Protocol.valueOf(t.toUpperCase()));
      }
    }
    return new CompiledMatch(
        methods,
        ru,
        rh,
        fu,
        fh,
        tu,
        th,
        headers.toArray(new CompiledMatch.HeaderCondition[0]),
        sources,
        listeners,
        transports);
  }

  private static StringMatcher user(SipRoute.StringMatch s) {
    return s == null ? null : new StringMatcher(s.type, s.value, false);
  }

  /** Host names compare case-insensitively (RFC 3261 19.1.4). */
  private static StringMatcher host(SipRoute.StringMatch s) {
    return s == null ? null : new StringMatcher(s.type, s.value, true);
  }

  /**
   * How a host is compared with the served hosts ({@link HostName#key}): an IP literal as its URI
   * form, so [::1] and [0:0:0:0:0:0:0:1] are one host, a name in lower case.
   */
  static String hostKey(String host) {
    return HostName.key(host);
  }

  private static String defaultReason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 301 -> "Moved Permanently";
      case 302 -> "Moved Temporarily";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 480 -> "Temporarily Unavailable";
      case 486 -> "Busy Here";
      case 503 -> "Service Unavailable";
      case 603 -> "Decline";
      default -> status < 300 ? "OK" : status < 400 ? "Redirection" : "Rejected";
    };
  }
}
