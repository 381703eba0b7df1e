package io.sbc.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the values of one bound document, collecting every problem with its field path. Pure: no
 * I/O, no name resolution (host names are refused, not looked up).
 */
final class Validator {
  private final List<Schema.Problem> problems = new ArrayList<>();

  Validator() {}

  List<Schema.Problem> problems() {
    return problems;
  }

  private void error(String path, String reason) {
    problems.add(new Schema.Problem(path, reason));
  }

  private void common(SipResource r) {
    if (!SipResource.API_VERSION.equals(r.apiVersion)) {
      error("apiVersion", "must be " + SipResource.API_VERSION + " (was " + r.apiVersion + ")");
    }
    if (r.metadata == null || r.metadata.name == null || r.metadata.name.isBlank()) {
      error("metadata.name", "required");
    } else if (!isDnsLabel(r.metadata.name)) {
      error("metadata.name", "must be a DNS-1123 name (lower case, digits, '-', '.')");
    }
  }

  void gateway(SipGateway g) {
    common(g);
    SipGateway.Spec s = g.spec;
    if (s == null) {
      error("spec", "required");
      return;
    }
    if (s.listeners == null || s.listeners.isEmpty()) {
      error("spec.listeners", "at least one listener is required");
    } else {
      Set<String> names = new HashSet<>();
      Set<String> bound = new HashSet<>();
      for (int i = 0; i < s.listeners.size(); i++) {
        SipGateway.Listener l = s.listeners.get(i);
        String p = "spec.listeners[" + i + "]";
        if (l == null) {
          error(p, "empty list entry");
          continue;
        }
        if (l.name == null || l.name.isBlank()) {
          error(p + ".name", "required");
        } else if (!names.add(l.name)) {
          error(p + ".name", "duplicate listener name '" + l.name + "'");
        }
        if (l.protocol == null) {
          error(p + ".protocol", "required, one of " + Defaults.PROTOCOLS);
        } else if (!Defaults.PROTOCOLS.contains(l.protocol)) {
          error(p + ".protocol", "'" + l.protocol + "' is not one of " + Defaults.PROTOCOLS);
        }
        if (l.port == null) {
          error(p + ".port", "required");
        } else if (l.port < 1 || l.port > 65535) {
          error(p + ".port", "must be 1..65535 (was " + l.port + ")");
        }
        if (l.address == null || !isIpLiteral(l.address)) {
          error(p + ".address", "must be an IPv4 or IPv6 address (was " + l.address + ")");
        }
        if (l.protocol != null && l.port != null && !bound.add(l.protocol + l.address + l.port)) {
          error(
              p, "another listener already serves " + l.protocol + " " + l.address + ":" + l.port);
        }
      }
    }
    if (s.domains == null) {
      error("spec.domains", "must be a list (may be empty)");
    } else {
      for (int i = 0; i < s.domains.size(); i++) {
        String d = s.domains.get(i);
        if (d == null || d.isBlank()) {
          error("spec.domains[" + i + "]", "empty list entry");
        } else if (!isHostName(d) && !isIpLiteral(d)) {
          error("spec.domains[" + i + "]", "not a host name or IP address: " + d);
        }
      }
    }
    SipGateway.Proxy px = s.proxy;
    if (px == null) {
      error("spec.proxy", "required");
    } else {
      if (!"stateful".equals(px.mode) && !"stateless".equals(px.mode)) {
        error("spec.proxy.mode", "must be stateful or stateless (was " + px.mode + ")");
      }
      range("spec.proxy.maxForwards", px.maxForwards, 1, 255);
    }
    SipGateway.Timers t = s.timers;
    if (t == null) {
      error("spec.timers", "required");
    } else {
      range("spec.timers.t1", t.t1, 10, 60_000);
      range("spec.timers.t2", t.t2, 10, 600_000);
      range("spec.timers.t4", t.t4, 10, 600_000);
      range("spec.timers.timerC", t.timerC, 1000, 3_600_000);
      if (t.t1 != null && t.t2 != null && t.t2 < t.t1) {
        error("spec.timers.t2", "must not be below t1");
      }
    }
    SipGateway.Limits lim = s.limits;
    if (lim == null) {
      error("spec.limits", "required");
    } else {
      range("spec.limits.maxMessageSize", lim.maxMessageSize, 1024, 65_535);
      range("spec.limits.maxHeaders", lim.maxHeaders, 16, 4096);
      range("spec.limits.maxTcpConnections", lim.maxTcpConnections, 1, 1_000_000);
      range("spec.limits.tcpIdleTimeoutSeconds", lim.tcpIdleTimeoutSeconds, 1, 86_400);
    }
  }

  void route(SipRoute r) {
    common(r);
    SipRoute.Spec s = r.spec;
    if (s == null) {
      error("spec", "required");
      return;
    }
    if (s.parentRefs == null || s.parentRefs.isEmpty()) {
      error("spec.parentRefs", "at least one SipGateway reference is required");
    } else {
      for (int i = 0; i < s.parentRefs.size(); i++) {
        if (s.parentRefs.get(i) == null) {
          error("spec.parentRefs[" + i + "]", "empty list entry");
        } else if (s.parentRefs.get(i).name == null || s.parentRefs.get(i).name.isBlank()) {
          error("spec.parentRefs[" + i + "].name", "required");
        }
      }
    }
    if (s.rules == null || s.rules.isEmpty()) {
      error("spec.rules", "at least one rule is required");
      return;
    }
    for (int i = 0; i < s.rules.size(); i++) {
      SipRoute.Rule rule = s.rules.get(i);
      String p = "spec.rules[" + i + "]";
      if (rule == null) {
        error(p, "empty list entry");
        continue;
      }
      if (rule.recordRoute == null) {
        error(p + ".recordRoute", "must be true or false");
      }
      if (!"serial".equals(rule.forking) && !"parallel".equals(rule.forking)) {
        error(p + ".forking", "must be serial or parallel (was " + rule.forking + ")");
      }
      if (rule.matches == null) {
        error(p + ".matches", "must be a list (may be empty)");
      } else {
        for (int m = 0; m < rule.matches.size(); m++) {
          SipRoute.Match match = rule.matches.get(m);
          if (match == null) {
            error(p + ".matches[" + m + "]", "empty list entry");
            continue;
          }
          List<String> methods = match.methods;
          for (int k = 0; methods != null && k < methods.size(); k++) {
            String method = methods.get(k);
            if (method == null
                || method.isEmpty()
                || !method.chars().allMatch(Validator::isToken)) {
              error(p + ".matches[" + m + "].methods[" + k + "]", "not a SIP method: " + method);
            }
          }
        }
      }
      if (rule.backendRefs == null || rule.backendRefs.isEmpty()) {
        error(p + ".backendRefs", "at least one backend is required");
        continue;
      }
      for (int b = 0; b < rule.backendRefs.size(); b++) {
        SipRoute.BackendRef ref = rule.backendRefs.get(b);
        if (ref == null) {
          error(p + ".backendRefs[" + b + "]", "empty list entry");
          continue;
        }
        String u = ref.uri;
        String bp = p + ".backendRefs[" + b + "].uri";
        if (u == null) {
          error(bp, "required");
        } else if (!u.startsWith("sip:")) {
          error(bp, "must be a sip: URI (was " + u + ")");
        } else if (!hostIsIp(u.substring(4))) {
          error(bp, "host must be an IP address (DNS names are not resolved yet): " + u);
        }
      }
    }
  }

  private void range(String path, Integer v, int min, int max) {
    if (v == null) {
      error(path, "must not be null");
    } else if (v < min || v > max) {
      error(path, "must be " + min + ".." + max + " (was " + v + ")");
    }
  }

  /** The host part of "user@host:port;params" is an IP literal. */
  private static boolean hostIsIp(String rest) {
    int at = rest.indexOf('@');
    String hp = at >= 0 ? rest.substring(at + 1) : rest;
    int end = hp.length();
    for (int i = 0; i < hp.length(); i++) {
      char c = hp.charAt(i);
      if (c == ';' || c == '?') {
        end = i;
        break;
      }
    }
    hp = hp.substring(0, end);
    if (hp.startsWith("[")) {
      int close = hp.indexOf(']');
      return close > 0 && isIpLiteral(hp.substring(1, close)) && portOk(hp.substring(close + 1));
    }
    int colon = hp.indexOf(':');
    String host = colon < 0 ? hp : hp.substring(0, colon);
    return isIpLiteral(host) && portOk(colon < 0 ? "" : hp.substring(colon));
  }

  private static boolean portOk(String s) {
    if (s.isEmpty()) {
      return true;
    }
    if (s.charAt(0) != ':' || s.length() < 2 || s.length() > 6) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    int p = Integer.parseInt(s.substring(1));
    return p > 0 && p < 65536;
  }

  static boolean isIpLiteral(String s) {
    if (s.indexOf(':') >= 0) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
          return false;
        }
      }
      return true;
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDnsLabel(String s) {
    if (s.length() > 253) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /** A DNS host name: labels of letters, digits and '-', separated by dots. */
  private static boolean isHostName(String s) {
    if (s.length() > 253) {
      return false;
    }
    for (String label : s.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-') {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isToken(int c) {
    return Character.isLetterOrDigit(c) || "-.!%*_+`'~".indexOf(c) >= 0;
  }
}
