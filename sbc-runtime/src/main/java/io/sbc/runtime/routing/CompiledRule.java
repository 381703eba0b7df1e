package io.sbc.runtime.routing;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.proxy.FailoverPolicy;
import io.sbc.runtime.sip.proxy.RequestRewrite;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * One rule, compiled: its filters and its action. Immutable; a decision allocates only what it
 * returns.
 */
final class CompiledRule {
  /** A destination of the rule: a fixed target or a pool, with weight and priority. */
  record Backend(Target target, DestinationPool pool, int weight, int priority) {}

  /** A dialplan step: strip, replace by pattern, add a prefix. */
  record UserRewrite(int strip, Pattern pattern, String substitution, String addPrefix) {
    String apply(String user) {
      String u = user;
      if (strip > 0) {
        u = strip >= u.length() ? "" : u.substring(strip);
      }
      if (pattern != null) {
        u = pattern.matcher(u).replaceAll(substitution);
      }
      if (addPrefix != null) {
        u = addPrefix + u;
      }
      return u;
    }
  }

  final String name;
  final int order;
  final boolean allowRelay;
  final boolean allowInDialog;
  final CompiledMatch[] matches;
  // local answer
  final int status;
  final String reason;
  final String extraHeaders;
  // forwarding
  final Backend[] backends;
  final boolean parallel;
  final boolean recordRoute;
  final FailoverPolicy failover;
  final UserRewrite[] userRewrites;
  final String newHost;
  final int newPort;
  final List<String> removeHeaders;
  final List<String> addHeaders;
  private final RouteAction answer;
  private final boolean rewrites;

  CompiledRule(
      String name,
      int order,
      boolean allowRelay,
      boolean allowInDialog,
      CompiledMatch[] matches,
      int status,
      String reason,
      String extraHeaders,
      Backend[] backends,
      boolean parallel,
      boolean recordRoute,
      FailoverPolicy failover,
      UserRewrite[] userRewrites,
      String newHost,
      int newPort,
      List<String> removeHeaders,
      List<String> addHeaders) {
    this.name = name;
    this.order = order;
    this.allowRelay = allowRelay;
    this.allowInDialog = allowInDialog;
    this.matches = matches;
    this.status = status;
    this.reason = reason;
    this.extraHeaders = extraHeaders;
    this.backends = backends;
    this.parallel = parallel;
    this.recordRoute = recordRoute;
    this.failover = failover;
    this.userRewrites = userRewrites;
    this.newHost = newHost;
    this.newPort = newPort;
    this.removeHeaders = List.copyOf(removeHeaders);
    this.addHeaders = List.copyOf(addHeaders);
    this.answer = status != 0 ? RouteAction.answer(status, reason, extraHeaders, name) : null;
    this.rewrites =
        userRewrites.length > 0
            || newHost != null
            || newPort > 0
            || !removeHeaders.isEmpty()
            || !addHeaders.isEmpty();
  }

  /** The decision for a request this rule matched. */
  RouteAction decide(RequestFacts f, RandomGenerator random) {
    if (answer != null) {
      return answer;
    }
    List<Target> targets = new ArrayList<>(backends.length + 2);
    order(f.request, random, targets);
    RequestRewrite rw = rewrites ? rewrite(f.request) : null;
    return new RouteAction(targets, parallel, recordRoute, 0, null, null, rw, failover, name);
  }

  /**
   * Lowest priority first; within a priority, the order written when the weights are equal, else a
   * weighted random order (each weight w draws the key u^(1/w), highest first: Efraimidis and
   * Spirakis), weight 0 last.
   */
  private void order(SipMessage request, RandomGenerator random, List<Target> out) {
    if (backends.length == 1) {
      add(backends[0], request, random, out);
      return;
    }
    int i = 0;
    while (i < backends.length) {
      int j = i;
      while (j < backends.length && backends[j].priority() == backends[i].priority()) {
        j++;
      }
      if (j - i == 1 || sameWeight(i, j)) {
        // One destination, or several of equal weight: the order written is the failover order
        // (primary, then backup); only different weights make a weighted random order.
        for (int k = i; k < j; k++) {
          add(backends[k], request, random, out);
        }
      } else {
        double[] keys = new double[j - i];
        Integer[] idx = new Integer[j - i];
        for (int k = i; k < j; k++) {
          int w = backends[k].weight();
          keys[k - i] = w <= 0 ? -1 : Math.pow(random.nextDouble(), 1.0 / w);
          idx[k - i] = k - i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(keys[b], keys[a]));
        for (Integer k : idx) {
          add(backends[i + k], request, random, out);
        }
      }
      i = j;
    }
  }

  private boolean sameWeight(int from, int to) {
    for (int k = from + 1; k < to; k++) {
      if (backends[k].weight() != backends[from].weight()) {
        return false;
      }
    }
    return true;
  }

  private static void add(Backend b, SipMessage request, RandomGenerator random, List<Target> out) {
    if (b.target() != null) {
      out.add(b.target());
    } else {
      b.pool().select(request, random, out);
    }
  }

  /** The filters' effect on this request. */
  private RequestRewrite rewrite(SipMessage m) {
    String uri = null;
    SipUri u = m.requestUri();
    if ((userRewrites.length > 0 && u.userStart() >= 0) || newHost != null || newPort > 0) {
      uri = rewriteUri(m, u);
    }
    return new RequestRewrite(uri, removeHeaders, addHeaders);
  }

  private String rewriteUri(SipMessage m, SipUri u) {
    StringBuilder sb = new StringBuilder(u.end() - u.start() + 16);
    if (u.scheme() == SipUri.Scheme.TEL || u.hostStart() < 0) {
      // tel: the number is the user part; there is no host to change.
      if (u.userStart() < 0) {
        return null;
      }
      String user = m.text(u.userStart(), u.userEnd());
      for (UserRewrite r : userRewrites) {
        user = r.apply(user);
      }
      return sb.append(m.text(u.start(), u.userStart()))
          .append(user)
          .append(m.text(u.userEnd(), u.end()))
          .toString();
    }
    int hostStart = u.hostStart();
    if (u.userStart() >= 0) {
      sb.append(m.text(u.start(), u.userStart()));
      String user = m.text(u.userStart(), u.userEnd());
      for (UserRewrite r : userRewrites) {
        user = r.apply(user);
      }
      sb.append(user);
      sb.append(m.text(u.userEnd(), hostStart));
    } else {
      sb.append(m.text(u.start(), hostStart));
    }
    sb.append(newHost != null ? newHost : m.text(hostStart, u.hostEnd()));
    if (newPort > 0) {
      sb.append(':').append(newPort);
    } else {
      sb.append(m.text(u.hostEnd(), u.portEnd()));
    }
    sb.append(m.text(u.portEnd(), u.end()));
    return sb.toString();
  }
}
