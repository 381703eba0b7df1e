package io.sbc.runtime.routing;

import io.sbc.api.syntax.SipGrammar;
import io.sbc.api.syntax.Substitution;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.proxy.EdgePolicy;
import io.sbc.runtime.sip.proxy.FailoverPolicy;
import io.sbc.runtime.sip.proxy.RequestRewrite;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * One rule, compiled: its filters and its action. Immutable but for a flag that keeps one warning
 * per rule; a decision allocates only what it returns.
 *
 * <p>A Request-URI user that the rule's RewriteUser filters turn into something RFC 3261 does not
 * allow in a URI user (or RFC 3966 in a tel number) is not forwarded: the request is answered 500
 * when the user was valid before (the rule's rewrite is at fault: a substitution or prefix that
 * produced '@', a space, a line break, a broken escape, an empty user), 400 when it already was not
 * (the request is at fault, and the rewrite would have passed its bytes on). The first such request
 * of each rule is logged with the user before and after.
 */
final class CompiledRule {
  private static final Logger LOG = Logger.getLogger(CompiledRule.class);

  /** The reason of the 500 answered when a rewrite made the user invalid. */
  static final String BAD_REWRITE_REASON = "Rewritten Request-URI User Not Valid";

  /** The reason of the 400 answered when the user to rewrite was not valid already. */
  static final String BAD_USER_REASON = "Request-URI User Not Valid";

  /** A destination of the rule: a fixed target or a pool, with weight and priority. */
  record Backend(Target target, DestinationPool pool, int weight, int priority) {}

  /** A dialplan step: strip, replace by an RE2 pattern, add a prefix. */
  record UserRewrite(int strip, Substitution replace, String addPrefix) {
    String apply(String user) {
      String u = user;
      if (strip > 0) {
        u = strip >= u.length() ? "" : u.substring(strip);
      }
      if (replace != null) {
        u = replace.replaceAll(u);
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

  /** Topology hiding and NAT traversal for what this rule forwards. */
  EdgePolicy edge = EdgePolicy.NONE;

  /** Call admission limits of the calls this rule forwards, or null. */
  io.sbc.runtime.sip.proxy.CallLimit callLimit;

  /** Media anchoring on RTPengine for what this rule forwards. */
  io.sbc.runtime.sip.proxy.MediaPolicy media = io.sbc.runtime.sip.proxy.MediaPolicy.NONE;

  /** The registrar's part in the rule and its authentication. */
  io.sbc.runtime.sip.proxy.AccessPolicy access = io.sbc.runtime.sip.proxy.AccessPolicy.NONE;

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
  private final RouteAction badRewrite;
  private final RouteAction badUser;
  private final AtomicBoolean badRewriteLogged = new AtomicBoolean();

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
    this.badRewrite =
        userRewrites.length > 0 ? RouteAction.answer(500, BAD_REWRITE_REASON, null, name) : null;
    this.badUser =
        userRewrites.length > 0 ? RouteAction.answer(400, BAD_USER_REASON, null, name) : null;
  }

  /** The decision for a request this rule matched. */
  RouteAction decide(RequestFacts f, RandomGenerator random) {
    if (answer != null) {
      return answer;
    }
    RequestRewrite rw = null;
    if (rewrites) {
      SipMessage m = f.request;
      SipUri u = m.requestUri();
      String user = null;
      if (userRewrites.length > 0 && u.userStart() >= 0) {
        String before = m.text(u.userStart(), u.userEnd());
        user = before;
        for (UserRewrite r : userRewrites) {
          user = r.apply(user);
        }
        boolean tel = u.scheme() == SipUri.Scheme.TEL;
        if (!validUser(user, tel)) {
          return refuse(before, user, tel);
        }
      }
      String uri = null;
      if (user != null || newHost != null || newPort > 0) {
        uri = rewriteUri(m, u, user);
      }
      rw = new RequestRewrite(uri, removeHeaders, addHeaders);
    }
    List<Target> targets = new ArrayList<>(backends.length + 2);
    order(f.request, random, targets);
    return new RouteAction(
        targets,
        parallel,
        recordRoute,
        0,
        null,
        null,
        rw,
        failover,
        name,
        edge,
        callLimit,
        media,
        access);
  }

  /** RFC 3261 25.1 user for sip and sips URIs, RFC 3966 number for tel. */
  private static boolean validUser(String user, boolean tel) {
    return tel ? SipGrammar.isTelephoneNumber(user) : SipGrammar.isUser(user);
  }

  /** The answer when the rewritten user is not valid; logs the first case of this rule. */
  private RouteAction refuse(String before, String after, boolean tel) {
    boolean requestAtFault = !validUser(before, tel);
    if (badRewriteLogged.compareAndSet(false, true)) {
      LOG.warnf(
          "rule %s: RewriteUser turned Request-URI user %s into %s, which is not a valid %s;"
              + " answered %d (further cases of this rule are not logged)",
          printable(name),
          printable(before),
          printable(after),
          tel ? "tel number (RFC 3966)" : "URI user (RFC 3261 25.1)",
          requestAtFault ? 400 : 500);
    }
    return requestAtFault ? badUser : badRewrite;
  }

  /** A value for a log line: quoted, with control characters escaped so a line stays one line. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
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

  /** The Request-URI with the rewritten user (null: unchanged) and the new host and port. */
  private String rewriteUri(SipMessage m, SipUri u, String user) {
    StringBuilder sb = new StringBuilder(u.end() - u.start() + 16);
    if (u.scheme() == SipUri.Scheme.TEL || u.hostStart() < 0) {
      // tel: the number is the user part; there is no host to change.
      if (user == null) {
        return null;
      }
      return sb.append(m.text(u.start(), u.userStart()))
          .append(user)
          .append(m.text(u.userEnd(), u.end()))
          .toString();
    }
    int hostStart = u.hostStart();
    if (user != null) {
      sb.append(m.text(u.start(), u.userStart()));
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
