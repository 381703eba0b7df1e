package io.sbc.runtime.routing;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Router;
import io.sbc.runtime.sip.transport.Flow;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The compiled routing of one gateway: rules indexed by the Request-URI user (exact map, prefix
 * trie), then the rest in precedence order. Built once per configuration and swapped whole; only
 * read afterwards, so every loop uses it without locks.
 *
 * <p>Precedence (documented on {@link io.sbc.api.SipRoute}): exact user, longest prefix, regular
 * expression on the user, the rest; within a class, more conditions first, then document order. No
 * match: 404 for a served domain, 403 for another (no open relay).
 */
public final class RoutingTable implements Router {
  /** A rule reachable through one of its matches. */
  record Entry(CompiledRule rule, CompiledMatch match) {}

  private static final RouteAction NOT_FOUND = RouteAction.answer(404, "Not Found", null, null);
  private static final RouteAction NOT_RELAYING =
      RouteAction.answer(403, "Forbidden (not relaying)", null, null);
  private static final RouteAction NOT_IN_DIALOG =
      RouteAction.answer(403, "Forbidden (no Route of this SBC)", null, null);

  private final Map<String, Entry[]> exact;
  private final PrefixTrie prefixes;
  private final Entry[][] prefixEntries;
  private final Entry[] patterns;
  private final Entry[] generic;
  private final Set<String> servedHosts;
  private final Supplier<RandomGenerator> random;
  private final int ruleCount;
  private final int maxPrefixMatches;

  RoutingTable(
      Map<String, Entry[]> exact,
      PrefixTrie prefixes,
      Entry[][] prefixEntries,
      Entry[] patterns,
      Entry[] generic,
      Set<String> servedHosts,
      Supplier<RandomGenerator> random,
      int ruleCount) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.prefixEntries = prefixEntries;
    this.patterns = patterns;
    this.generic = generic;
    this.servedHosts = servedHosts;
    this.random = random;
    this.ruleCount = ruleCount;
    this.maxPrefixMatches = prefixes.maxDepth() + 1;
  }

  public int ruleCount() {
    return ruleCount;
  }

  @Override
  public RouteAction route(SipMessage request, Flow source) {
    return route(request, source, random.get());
  }

  /** The decision, with the randomness given (tests replay decisions with a seeded generator). */
  public RouteAction route(SipMessage request, Flow source, RandomGenerator rnd) {
    RequestFacts f = new RequestFacts(request, source);
    boolean served = isServed(request.requestUri());
    boolean inDialog = request.toTag() != null;
    SipUri u = request.requestUri();
    if (u.userStart() >= 0) {
      if (!exact.isEmpty()) {
        Entry[] es = exact.get(f.requestUriUser());
        RouteAction a = first(es, f, served, inDialog, true, rnd);
        if (a != null) {
          return a;
        }
      }
      if (prefixEntries.length > 0) {
        int[] found = new int[Math.min(maxPrefixMatches, u.userEnd() - u.userStart() + 1)];
        int n = prefixes.matches(request.bytes(), u.userStart(), u.userEnd(), found);
        for (int i = 0; i < n; i++) {
          RouteAction a = first(prefixEntries[found[i]], f, served, inDialog, true, rnd);
          if (a != null) {
            return a;
          }
        }
      }
    }
    RouteAction a = first(patterns, f, served, inDialog, false, rnd);
    if (a == null) {
      a = first(generic, f, served, inDialog, false, rnd);
    }
    if (a != null) {
      return a;
    }
    if (inDialog) {
      return NOT_IN_DIALOG;
    }
    return served ? NOT_FOUND : NOT_RELAYING;
  }

  private static RouteAction first(
      Entry[] entries,
      RequestFacts f,
      boolean served,
      boolean inDialog,
      boolean userChecked,
      RandomGenerator rnd) {
    if (entries == null) {
      return null;
    }
    for (Entry e : entries) {
      if ((served || e.rule().allowRelay)
          && (!inDialog || e.rule().allowInDialog)
          && e.match().test(f, userChecked)) {
        return e.rule().decide(f, rnd);
      }
    }
    return null;
  }

  /** A tel: URI, or a host among the gateway's domains and addresses. */
  boolean isServed(SipUri u) {
    if (u.scheme() == SipUri.Scheme.TEL) {
      return true;
    }
    String h = u.host();
    if (h == null) {
      return false;
    }
    // IPv6 references compare as addresses ([::1] and [0:0:0:0:0:0:0:1] are the same host).
    return servedHosts.contains(
        h.startsWith("[") ? RouteCompiler.hostKey(h) : h.toLowerCase(Locale.ROOT));
  }

  /** For tests and logs: the names of the rules in the order they are tried for generic ones. */
  List<String> genericOrder() {
    return java.util.Arrays.stream(generic).map(e -> e.rule().name).toList();
  }
}
