package io.sbc.runtime.routing;

import io.sbc.runtime.sip.transport.Protocol;
import java.util.Set;

/** One match of a rule, compiled: every condition given must hold (AND). */
final class CompiledMatch {
  /** A header condition: present, or its first value equal to / matching a pattern. */
  record HeaderCondition(String name, byte code, StringMatcher value) {}

  final Set<String> methods;
  final StringMatcher ruriUser;
  final StringMatcher ruriHost;
  final StringMatcher fromUser;
  final StringMatcher fromHost;
  final StringMatcher toUser;
  final StringMatcher toHost;
  final HeaderCondition[] headers;
  final CidrSet sources;
  final Set<String> listeners;
  final Set<Protocol> transports;

  /** How many conditions: more is more specific. */
  final int conditions;

  CompiledMatch(
      Set<String> methods,
      StringMatcher ruriUser,
      StringMatcher ruriHost,
      StringMatcher fromUser,
      StringMatcher fromHost,
      StringMatcher toUser,
      StringMatcher toHost,
      HeaderCondition[] headers,
      CidrSet sources,
      Set<String> listeners,
      Set<Protocol> transports) {
    this.methods = methods;
    this.ruriUser = ruriUser;
    this.ruriHost = ruriHost;
    this.fromUser = fromUser;
    this.fromHost = fromHost;
    this.toUser = toUser;
    this.toHost = toHost;
    this.headers = headers;
    this.sources = sources;
    this.listeners = listeners;
    this.transports = transports;
    int c = headers.length;
    for (Object o :
        new Object[] {
          methods,
          ruriUser,
          ruriHost,
          fromUser,
          fromHost,
          toUser,
          toHost,
          sources,
          listeners,
          transports
        }) {
      if (o != null) {
        c++;
      }
    }
    this.conditions = c;
  }

  /**
   * Whether the request satisfies every condition.
   *
   * @param userChecked the Request-URI user condition already held (found through the index)
   */
  boolean test(RequestFacts f, boolean userChecked) {
    if (methods != null && !methods.contains(f.request.method())) {
      return false;
    }
    if (listeners != null && !listeners.contains(f.source.listener().name())) {
      return false;
    }
    if (transports != null && !transports.contains(f.source.protocol())) {
      return false;
    }
    if (!userChecked && ruriUser != null && !ruriUser.test(f.requestUriUser())) {
      return false;
    }
    if (ruriHost != null && !ruriHost.test(f.requestUriHost())) {
      return false;
    }
    if (fromUser != null && !fromUser.test(f.fromUser())) {
      return false;
    }
    if (fromHost != null && !fromHost.test(f.fromHost())) {
      return false;
    }
    if (toUser != null && !toUser.test(f.toUser())) {
      return false;
    }
    if (toHost != null && !toHost.test(f.toHost())) {
      return false;
    }
    for (HeaderCondition h : headers) {
      String v = f.header(h.name(), h.code());
      if (v == null || (h.value() != null && !h.value().test(v))) {
        return false;
      }
    }
    return sources == null || sources.contains(f.source.remote().getAddress());
  }
}
