package io.sbc.api;

import com.google.re2j.Pattern;
import io.sbc.api.syntax.HostName;
import io.sbc.api.syntax.IpLiteral;
import io.sbc.api.syntax.IpNetwork;
import io.sbc.api.syntax.RegularExpression;
import io.sbc.api.syntax.SipGrammar;
import io.sbc.api.syntax.Substitution;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks the values of one bound document, collecting every problem with its field path. Pure: no
 * I/O, no name resolution (host names are refused, not looked up). Every piece of syntax (IP
 * literals, host names, tokens, URI users, header text, RE2 patterns and their substitutions) is
 * checked by {@code io.sbc.api.syntax}, the code the runtime parses with.
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
        if (l.address == null || !IpLiteral.isIpLiteral(l.address)) {
          error(
              p + ".address",
              "must be an IPv4 or IPv6 address (was "
                  + (l.address == null ? null : quoted(l.address))
                  + ")");
        }
        if (l.advertisedAddress != null) {
          advertisedHost(p + ".advertisedAddress", l.advertisedAddress);
        }
        cidrs(p + ".allow", l.allow);
        cidrs(p + ".deny", l.deny);
        listenerTls(p, l);
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
        } else if (!HostName.isValid(d) && !IpLiteral.isIpLiteral(d)) {
          error(
              "spec.domains[" + i + "]",
              "not a host name or IP address (IPv6 without brackets): " + quoted(d));
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
      // RFC 3261 17.1.1.2: timer D "at least 32 seconds for unreliable transports".
      range("spec.timers.timerD", t.timerD, 32_000, 600_000);
      if (t.t1 != null && t.t2 != null && t.t2 < t.t1) {
        error("spec.timers.t2", "must not be below t1");
      }
      // Timer C below 64*T1 would cut an unanswered INVITE's timer B short (16.6 step 11 asks
      // for more than 3 minutes; less is accepted as long as timer B can run its course).
      if (t.t1 != null && t.timerC != null && t.timerC < 180_000 && (long) t.timerC < 64L * t.t1) {
        error(
            "spec.timers.timerC",
            "must be at least 64*t1 (" + 64L * t.t1 + ") or 180000 (was " + t.timerC + ")");
      }
    }
    SipGateway.Limits lim = s.limits;
    if (lim == null) {
      error("spec.limits", "required");
    } else {
      range("spec.limits.maxMessageSize", lim.maxMessageSize, 1024, 65_535);
      range("spec.limits.maxHeaders", lim.maxHeaders, 16, 4096);
      range("spec.limits.maxTcpConnections", lim.maxTcpConnections, 1, 1_000_000);
      range("spec.limits.maxOutboundTcpConnections", lim.maxOutboundTcpConnections, 1, 1_000_000);
      range("spec.limits.maxTcpConnectionsPerSource", lim.maxTcpConnectionsPerSource, 1, 1_000_000);
      range("spec.limits.tcpIdleTimeoutSeconds", lim.tcpIdleTimeoutSeconds, 1, 86_400);
      range("spec.limits.tcpMessageTimeoutSeconds", lim.tcpMessageTimeoutSeconds, 1, 3600);
      range("spec.limits.webSocketPingSeconds", lim.webSocketPingSeconds, 1, 3600);
      range("spec.limits.maxTcpWriteQueueBytes", lim.maxTcpWriteQueueBytes, 65_535, 8_388_608);
      range("spec.limits.maxCallSeconds", lim.maxCallSeconds, 60, 604_800);
    }
    sealing(s.sealing);
    tlsClient(s.tlsClient);
    if (s.topologyHiding == null) {
      error("spec.topologyHiding", "required (default: enabled false)");
    } else {
      topologyHiding(s.topologyHiding, "spec.topologyHiding");
      if (Boolean.TRUE.equals(s.topologyHiding.enabled)
          && s.proxy != null
          && "stateless".equals(s.proxy.mode)) {
        error(
            "spec.topologyHiding.enabled",
            "needs proxy.mode stateful: the hidden Via set is restored from the transaction");
      }
    }
    if (s.nat == null) {
      error("spec.nat", "required (default: no detection)");
    } else {
      nat(s.nat, "spec.nat");
    }
    antiFlood(s.antiFlood);
    registrar(s);
    scanners(s.scanners);
    dns(s.dns);
    cluster(s);
  }

  private void antiFlood(SipGateway.AntiFlood a) {
    if (a == null) {
      return;
    }
    range("spec.antiFlood.requestsPerSecond", a.requestsPerSecond, 1, 1_000_000);
    range("spec.antiFlood.burst", a.burst, 1, 1_000_000);
    range("spec.antiFlood.banSeconds", a.banSeconds, 0, 86_400);
    cidrs("spec.antiFlood.exempt", a.exempt);
  }

  private void registrar(SipGateway.Spec s) {
    SipGateway.Registrar r = s.registrar;
    if (r == null) {
      return;
    }
    String p = "spec.registrar";
    range(p + ".minExpires", r.minExpires, 1, 86_400);
    range(p + ".maxExpires", r.maxExpires, 1, 604_800);
    range(p + ".defaultExpires", r.defaultExpires, 1, 604_800);
    range(p + ".maxContactsPerAor", r.maxContactsPerAor, 1, 1000);
    range(p + ".maxBindings", r.maxBindings, 1, 10_000_000);
    range(p + ".nonceLifetimeSeconds", r.nonceLifetimeSeconds, 10, 3600);
    range(p + ".maxAuthFailures", r.maxAuthFailures, 1, 100_000);
    range(p + ".authFailureBlockSeconds", r.authFailureBlockSeconds, 0, 86_400);
    if (r.minExpires != null && r.maxExpires != null && r.minExpires > r.maxExpires) {
      error(p + ".maxExpires", "must not be below minExpires (" + r.minExpires + ")");
    }
    if (r.defaultExpires != null
        && r.minExpires != null
        && r.maxExpires != null
        && (r.defaultExpires < r.minExpires || r.defaultExpires > r.maxExpires)) {
      error(p + ".defaultExpires", "must be within minExpires..maxExpires");
    }
    if (r.digestAlgorithms == null || r.digestAlgorithms.isEmpty()) {
      error(p + ".digestAlgorithms", "at least one of SHA-256, MD5");
    } else {
      for (int i = 0; i < r.digestAlgorithms.size(); i++) {
        String a = r.digestAlgorithms.get(i);
        if (!"SHA-256".equals(a) && !"MD5".equals(a)) {
          error(p + ".digestAlgorithms[" + i + "]", "must be SHA-256 or MD5 (was " + a + ")");
        } else if (r.digestAlgorithms.indexOf(a) != i) {
          error(p + ".digestAlgorithms[" + i + "]", a + " is listed twice");
        }
      }
    }
    if (!"ReplaceOldest".equals(r.whenFull) && !"Reject".equals(r.whenFull)) {
      error(p + ".whenFull", "must be ReplaceOldest or Reject (was " + r.whenFull + ")");
    }
    if (!"serial".equals(r.forking) && !"parallel".equals(r.forking)) {
      error(p + ".forking", "must be serial or parallel (was " + r.forking + ")");
    }
    List<String> domains = new ArrayList<>();
    if (r.domains == null) {
      error(p + ".domains", "must be a list (may be empty)");
    } else {
      for (int i = 0; i < r.domains.size(); i++) {
        String d = r.domains.get(i);
        if (d == null || (!HostName.isValid(d) && !IpLiteral.isIpLiteral(d))) {
          error(p + ".domains[" + i + "]", "must be a host name or an IP address (was " + d + ")");
        } else {
          domains.add(d.toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    if (domains.isEmpty() && s.domains != null) {
      for (String d : s.domains) {
        if (d != null) {
          domains.add(d.toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    if (domains.isEmpty()) {
      error(p + ".domains", "the registrar needs a domain: list one here or in spec.domains");
    }
    if (r.subscribers == null) {
      error(p + ".subscribers", "must be a list (may be empty)");
    } else {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < r.subscribers.size(); i++) {
        SipGateway.Subscriber u = r.subscribers.get(i);
        String sp = p + ".subscribers[" + i + "]";
        if (u == null) {
          error(sp, "empty list entry");
          continue;
        }
        if (u.username == null || !SipGrammar.isUser(u.username)) {
          error(sp + ".username", "must be a SIP URI user (was " + u.username + ")");
        }
        if (u.domain != null && !domains.contains(u.domain.toLowerCase(java.util.Locale.ROOT))) {
          error(sp + ".domain", "must be one of the registrar's domains " + domains);
        }
        if (u.ha1 == null && u.ha1Sha256 == null && u.passwordFile == null) {
          error(sp, "needs ha1, ha1Sha256 or passwordFile");
        }
        if (u.passwordFile != null && (u.ha1 != null || u.ha1Sha256 != null)) {
          error(sp + ".passwordFile", "give either passwordFile or HA1 hashes, not both");
        }
        if (u.ha1 != null && !isHex(u.ha1, 32)) {
          error(sp + ".ha1", "must be 32 hex digits (MD5 of username:realm:password)");
        }
        if (u.ha1Sha256 != null && !isHex(u.ha1Sha256, 64)) {
          error(sp + ".ha1Sha256", "must be 64 hex digits (SHA-256 of username:realm:password)");
        }
        if (u.passwordFile != null && u.passwordFile.isBlank()) {
          error(sp + ".passwordFile", "must be a file path");
        }
        String key =
            u.username
                + "@"
                + (u.domain != null
                    ? u.domain.toLowerCase(java.util.Locale.ROOT)
                    : domains.isEmpty() ? "" : domains.get(0));
        if (u.username != null && !seen.add(key)) {
          error(sp + ".username", "subscriber " + key + " is listed twice");
        }
      }
    }
    if (r.aliases == null) {
      error(p + ".aliases", "must be a list (may be empty)");
    } else {
      for (int i = 0; i < r.aliases.size(); i++) {
        SipGateway.Alias a = r.aliases.get(i);
        String ap = p + ".aliases[" + i + "]";
        if (a == null) {
          error(ap, "empty list entry");
          continue;
        }
        if (a.user == null || !SipGrammar.isUser(a.user)) {
          error(ap + ".user", "must be a SIP URI user (was " + a.user + ")");
        }
        if (a.aor == null || !isAor(a.aor, domains)) {
          error(
              ap + ".aor",
              "must be sip:user@domain with one of the registrar's domains "
                  + domains
                  + " (was "
                  + a.aor
                  + ")");
        }
      }
    }
  }

  private static boolean isHex(String s, int length) {
    if (s.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAor(String aor, List<String> domains) {
    if (!aor.startsWith("sip:")) {
      return false;
    }
    int at = aor.indexOf('@');
    if (at < 5) {
      return false;
    }
    String user = aor.substring(4, at);
    String host = aor.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
    return SipGrammar.isUser(user) && domains.contains(host);
  }

  private void scanners(SipGateway.Scanners z) {
    if (z == null) {
      error("spec.scanners", "required (default: block true)");
      return;
    }
    if (z.block == null) {
      error("spec.scanners.block", "must be true or false");
    }
    if (z.userAgents == null) {
      error("spec.scanners.userAgents", "must be a list (may be empty)");
      return;
    }
    for (int i = 0; i < z.userAgents.size(); i++) {
      String ua = z.userAgents.get(i);
      String p = "spec.scanners.userAgents[" + i + "]";
      if (ua == null || ua.isBlank()) {
        error(p, "empty list entry: give a part of a User-Agent value, such as sipvicious");
      } else if (ua.length() > Defaults.MAX_SCANNER_USER_AGENT_LENGTH) {
        error(p, "longer than " + Defaults.MAX_SCANNER_USER_AGENT_LENGTH + " characters");
      } else if (!SipGrammar.isText(ua) || !ua.chars().allMatch(c -> c < 128)) {
        error(
            p,
            "must be printable ASCII without line breaks or control characters (was "
                + quoted(ua)
                + ")");
      }
    }
  }

  /** A list of networks in CIDR notation (or bare addresses), each checked. */
  private void cidrs(String path, List<String> list) {
    if (list == null) {
      error(path, "must be a list (may be empty)");
      return;
    }
    for (int c = 0; c < list.size(); c++) {
      String cidr = list.get(c);
      String why = cidr == null ? "empty list entry" : cidrProblem(cidr);
      if (why != null) {
        error(path + "[" + c + "]", why);
      }
    }
  }

  private void topologyHiding(TopologyHiding t, String p) {
    if (t.enabled == null) {
      error(p + ".enabled", "must be true or false");
    }
    if (t.callId == null) {
      error(p + ".callId", "must be true or false");
    }
    if (t.fromToHost == null) {
      error(p + ".fromToHost", "must be true or false");
    }
  }

  private void nat(NatTraversal n, String p) {
    if (n.detect == null) {
      error(p + ".detect", "must be a list (may be empty)");
    } else {
      for (int i = 0; i < n.detect.size(); i++) {
        if (!Defaults.NAT_TESTS.contains(n.detect.get(i))) {
          error(
              p + ".detect[" + i + "]",
              "'" + n.detect.get(i) + "' is not one of " + Defaults.NAT_TESTS);
        }
      }
    }
    range(p + ".keepaliveSeconds", n.keepaliveSeconds, 0, 3600);
  }

  private void dns(SipGateway.Dns d) {
    if (d == null) {
      error("spec.dns", "required (default: the name servers of /etc/resolv.conf)");
      return;
    }
    if (d.servers == null) {
      error("spec.dns.servers", "must be a list (may be empty)");
    } else {
      for (int i = 0; i < d.servers.size(); i++) {
        String v = d.servers.get(i);
        if (v == null || IpLiteral.toSocketAddress(v.strip(), 53) == null) {
          error(
              "spec.dns.servers[" + i + "]",
              "must be an IP address with an optional port (\"192.0.2.53\", \"127.0.0.1:5353\","
                  + " \"[2001:db8::53]:53\"), not a name (was "
                  + (v == null ? null : quoted(v))
                  + ")");
        }
      }
    }
    range("spec.dns.queryTimeoutMillis", d.queryTimeoutMillis, 100, 30_000);
    range("spec.dns.negativeCacheSeconds", d.negativeCacheSeconds, 0, 3600);
  }

  /**
   * A TLS listener needs a certificate (files, or Secrets the operator mounts); others take none.
   */
  private void listenerTls(String p, SipGateway.Listener l) {
    boolean tls = l.protocol != null && Defaults.TLS_PROTOCOLS.contains(l.protocol);
    if (l.tls == null) {
      if (tls) {
        error(p + ".tls", "required for " + l.protocol + ": certificates or certificateRefs");
      }
      return;
    }
    if (!tls) {
      error(
          p + ".tls", "only for " + Defaults.TLS_PROTOCOLS + " listeners (was " + l.protocol + ")");
      return;
    }
    Tls.Listener t = l.tls;
    if (t.certificates == null || t.certificateRefs == null) {
      error(p + ".tls", "certificates and certificateRefs must be lists (may be empty)");
      return;
    }
    if (t.certificates.isEmpty() && t.certificateRefs.isEmpty()) {
      error(p + ".tls", "no certificate: give certificates (files) or certificateRefs (Secrets)");
    }
    for (int i = 0; i < t.certificates.size(); i++) {
      certificateFiles(p + ".tls.certificates[" + i + "]", t.certificates.get(i));
    }
    for (int i = 0; i < t.certificateRefs.size(); i++) {
      Tls.CertificateRef r = t.certificateRefs.get(i);
      String rp = p + ".tls.certificateRefs[" + i + "]";
      if (r == null || r.name == null || !HostName.isValid(r.name)) {
        error(rp + ".name", "required, a Secret name (DNS subdomain)");
      } else if (r.kind != null && !r.kind.equals("Secret")) {
        error(rp + ".kind", "only Secret is supported (was " + quoted(r.kind) + ")");
      }
    }
    String cc = t.clientCertificate == null ? "None" : t.clientCertificate;
    if (!cc.equals("None") && !cc.equals("Optional") && !cc.equals("Required")) {
      error(
          p + ".tls.clientCertificate", "one of None, Optional, Required (was " + quoted(cc) + ")");
    } else if (!cc.equals("None") && (t.clientCaFile == null || t.clientCaFile.isBlank())) {
      error(p + ".tls.clientCaFile", "required when clientCertificate is " + cc);
    }
  }

  private void certificateFiles(String p, Tls.CertificateFiles f) {
    if (f == null) {
      error(p, "empty list entry");
      return;
    }
    if (f.certificateFile == null || f.certificateFile.isBlank()) {
      error(p + ".certificateFile", "required (PEM file of the certificate chain)");
    }
    if (f.keyFile == null || f.keyFile.isBlank()) {
      error(p + ".keyFile", "required (PEM file of the private key)");
    }
  }

  private void tlsClient(Tls.Client c) {
    if (c != null && c.certificate != null) {
      certificateFiles("spec.tlsClient.certificate", c.certificate);
    }
  }

  private void sealing(SipGateway.Sealing z) {
    if (z == null) {
      return;
    }
    if (z.secret != null && z.secretFile != null) {
      error("spec.sealing", "secret and secretFile are exclusive: give one");
    } else if (z.secret == null && z.secretFile == null) {
      error("spec.sealing", "secret or secretFile is required");
    }
    if (z.secret != null
        && z.secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
            < Defaults.MIN_SEALING_SECRET_BYTES) {
      error(
          "spec.sealing.secret",
          "must have at least " + Defaults.MIN_SEALING_SECRET_BYTES + " bytes");
    }
    if (z.secretFile != null && z.secretFile.isBlank()) {
      error("spec.sealing.secretFile", "must be a file path");
    }
    if (z.previousSecrets == null) {
      error("spec.sealing.previousSecrets", "must be a list (may be empty)");
    } else {
      for (int i = 0; i < z.previousSecrets.size(); i++) {
        String p = z.previousSecrets.get(i);
        if (p == null
            || p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                < Defaults.MIN_SEALING_SECRET_BYTES) {
          error(
              "spec.sealing.previousSecrets[" + i + "]",
              "must have at least " + Defaults.MIN_SEALING_SECRET_BYTES + " bytes");
        }
      }
    }
    if (z.previousSecretFiles == null) {
      error("spec.sealing.previousSecretFiles", "must be a list (may be empty)");
    } else {
      for (int i = 0; i < z.previousSecretFiles.size(); i++) {
        String p = z.previousSecretFiles.get(i);
        if (p == null || p.isBlank()) {
          error("spec.sealing.previousSecretFiles[" + i + "]", "must be a file path");
        }
      }
    }
  }

  /** The fields only the operator uses (Deployment, Service, HorizontalPodAutoscaler). */
  private void cluster(SipGateway.Spec s) {
    range("spec.replicas", s.replicas, 0, 1000);
    if (s.serviceType == null || !Defaults.SERVICE_TYPES.contains(s.serviceType)) {
      error("spec.serviceType", "'" + s.serviceType + "' is not one of " + Defaults.SERVICE_TYPES);
    }
    range("spec.terminationGracePeriodSeconds", s.terminationGracePeriodSeconds, 0, 86_400);
    SipGateway.Autoscaling a = s.autoscaling;
    if (a != null) {
      range("spec.autoscaling.minReplicas", a.minReplicas, 1, 1000);
      if (a.maxReplicas == null) {
        error("spec.autoscaling.maxReplicas", "required");
      } else {
        range("spec.autoscaling.maxReplicas", a.maxReplicas, 1, 1000);
        if (a.minReplicas != null && a.maxReplicas < a.minReplicas) {
          error("spec.autoscaling.maxReplicas", "must not be below minReplicas");
        }
      }
      range(
          "spec.autoscaling.targetCPUUtilizationPercentage",
          a.targetCPUUtilizationPercentage,
          1,
          100);
      if (a.targetActiveCallsPerPod != null) {
        range("spec.autoscaling.targetActiveCallsPerPod", a.targetActiveCallsPerPod, 1, 1_000_000);
      } else if (s.resources == null
          || s.resources.requests == null
          || !s.resources.requests.containsKey("cpu")) {
        // A utilization target is a percentage of the request: without one the autoscaler
        // reports FailedGetResourceMetric and never scales.
        error(
            "spec.resources.requests.cpu",
            "required when spec.autoscaling scales on CPU (without targetActiveCallsPerPod):"
                + " the target is a percentage of the CPU request");
      }
    }
    SipGateway.GatewayCallLimits cl = s.callLimits;
    if (cl != null) {
      if (cl.maxCalls == null && cl.maxCallsPerSecond == null) {
        error(
            "spec.callLimits", "give maxCalls and/or maxCallsPerSecond (or leave out callLimits)");
      }
      if (cl.maxCalls != null) {
        range("spec.callLimits.maxCalls", cl.maxCalls, 1, 10_000_000);
      }
      if (cl.maxCallsPerSecond != null) {
        range("spec.callLimits.maxCallsPerSecond", cl.maxCallsPerSecond, 1, 1_000_000);
      }
      range("spec.callLimits.retryAfterSeconds", cl.retryAfterSeconds, 0, 86_400);
    }
    if (s.resources != null) {
      quantities("spec.resources.requests", s.resources.requests);
      quantities("spec.resources.limits", s.resources.limits);
    }
    if (s.infrastructure != null) {
      infrastructure(s.infrastructure);
    }
    SipGateway.Media m = s.media;
    if (m != null) {
      if (m.mode == null || !Defaults.MEDIA_MODES.contains(m.mode)) {
        error("spec.media.mode", "'" + m.mode + "' is not one of " + Defaults.MEDIA_MODES);
      }
      if (m.image != null && (m.image.isBlank() || !m.image.chars().noneMatch(c -> c <= ' '))) {
        error(
            "spec.media.image", "must be an image reference without spaces (was " + m.image + ")");
      }
      sidecarArgs(m);
      if (m.resources != null) {
        quantities("spec.media.resources.requests", m.resources.requests);
        quantities("spec.media.resources.limits", m.resources.limits);
      }
      range("spec.media.rtpPortMin", m.rtpPortMin, 1024, 65535);
      range("spec.media.rtpPortMax", m.rtpPortMax, 1024, 65535);
      if (m.rtpPortMin != null && m.rtpPortMax != null && m.rtpPortMax < m.rtpPortMin) {
        error(
            "spec.media.rtpPortMax",
            "must not be below rtpPortMin (" + m.rtpPortMax + " < " + m.rtpPortMin + ")");
      }
      if (m.advertisedAddress != null && !IpLiteral.isIpLiteral(m.advertisedAddress)) {
        error(
            "spec.media.advertisedAddress",
            "must be an IPv4 or IPv6 address, IPv6 without brackets (RTPengine writes it into"
                + " SDP's c= line, which takes no host name): "
                + quoted(m.advertisedAddress));
      }
      mediaRuntime(m);
    }
  }

  /** The options of the sidecar's command line the operator sets, which args may not repeat. */
  private static final List<String> OPERATOR_RTPENGINE_OPTIONS =
      List.of(
          "--interface",
          "-i",
          "--listen-ng",
          "-n",
          "--listen-cli",
          "-c",
          "--listen-http",
          "--listen-https",
          "--listen-tcp",
          "--listen-udp",
          "--port-min",
          "-m",
          "--port-max",
          "-M",
          "--table",
          "-t",
          "--foreground",
          "-f",
          "--log-stderr",
          "-E",
          "--config-file",
          "--pidfile",
          "-p");

  /** spec.media.args: words without spaces, none of the options the operator sets. */
  private void sidecarArgs(SipGateway.Media m) {
    if (m.args == null) {
      error("spec.media.args", "must be a list (may be empty)");
      return;
    }
    if (!m.args.isEmpty() && !"Sidecar".equals(m.mode)) {
      error("spec.media.args", "only used with mode Sidecar (mode " + m.mode + " was given)");
    }
    for (int i = 0; i < m.args.size(); i++) {
      String a = m.args.get(i);
      String p = "spec.media.args[" + i + "]";
      if (a == null
          || a.isEmpty()
          || a.length() > 256
          || !a.chars().allMatch(c -> c > ' ' && c < 127)) {
        error(p, "must be one argument of printable characters without spaces (1 to 256)");
        continue;
      }
      int eq = a.indexOf('=');
      String option = eq < 0 ? a : a.substring(0, eq);
      if (OPERATOR_RTPENGINE_OPTIONS.contains(option)) {
        error(
            p,
            quoted(option)
                + " is set by the operator (interface, listeners, port range, table, logging)");
      }
    }
  }

  /** What the runtime reads of spec.media: the instances, the command timing, the anchoring. */
  private void mediaRuntime(SipGateway.Media m) {
    range("spec.media.timeoutMillis", m.timeoutMillis, 50, 10_000);
    range("spec.media.retries", m.retries, 0, 10);
    range("spec.media.pingIntervalSeconds", m.pingIntervalSeconds, 1, 3600);
    if (m.instances == null) {
      error("spec.media.instances", "must be a list (may be empty)");
    } else {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < m.instances.size(); i++) {
        String p = "spec.media.instances[" + i + "]";
        SipGateway.MediaInstance in = m.instances.get(i);
        if (in == null) {
          error(p, "must not be null");
          continue;
        }
        if (IpLiteral.parseSocketAddress(in.address) == null) {
          error(
              p + ".address",
              "must be IP:port of RTPengine's ng socket (IPv6 in brackets), e.g. 127.0.0.1:2223"
                  + " (was "
                  + (in.address == null ? null : quoted(in.address))
                  + ")");
        } else if (!seen.add(in.address)) {
          error(p + ".address", "listed twice: " + quoted(in.address));
        }
        range(p + ".weight", in.weight, 0, 1000);
      }
      if ("External".equals(m.mode) && m.instances.isEmpty()) {
        error("spec.media.instances", "mode External needs at least one RTPengine instance");
      }
      if (!"External".equals(m.mode) && !m.instances.isEmpty()) {
        error(
            "spec.media.instances", "only used with mode External (mode " + m.mode + " was given)");
      }
    }
    if (m.anchoring == null) {
      error("spec.media.anchoring", "required (default: enabled true)");
    } else {
      mediaAnchoring(m.anchoring, "spec.media.anchoring");
    }
  }

  private void mediaAnchoring(MediaAnchoring a, String p) {
    if (a.enabled == null) {
      error(p + ".enabled", "must be true or false");
    }
    if (a.replaceOrigin == null) {
      error(p + ".replaceOrigin", "must be true or false");
    }
    if (a.replaceSessionConnection == null) {
      error(p + ".replaceSessionConnection", "must be true or false");
    }
    if (a.recordCall == null) {
      error(p + ".recordCall", "must be true or false");
    }
    if (a.ice != null && !Defaults.MEDIA_ICE.contains(a.ice)) {
      error(p + ".ice", quoted(a.ice) + " is not one of " + Defaults.MEDIA_ICE);
    }
    if (a.transportProtocol != null
        && !Defaults.MEDIA_TRANSPORT_PROTOCOLS.contains(a.transportProtocol)) {
      error(
          p + ".transportProtocol",
          quoted(a.transportProtocol) + " is not one of " + Defaults.MEDIA_TRANSPORT_PROTOCOLS);
    }
    if (a.onFailure == null || !Defaults.MEDIA_ON_FAILURES.contains(a.onFailure)) {
      error(
          p + ".onFailure",
          (a.onFailure == null ? "null" : quoted(a.onFailure))
              + " is not one of "
              + Defaults.MEDIA_ON_FAILURES);
    }
    if (a.direction != null && !a.direction.isEmpty()) {
      if (a.direction.size() != 2) {
        error(
            p + ".direction",
            "must name two RTPengine interfaces (the caller's side, then the callee's), had "
                + a.direction.size());
      }
      for (int i = 0; i < a.direction.size(); i++) {
        if (!isInterfaceName(a.direction.get(i))) {
          error(
              p + ".direction[" + i + "]",
              "must be an RTPengine interface name: letters, digits and - _ . (1 to 32"
                  + " characters), was "
                  + (a.direction.get(i) == null ? "null" : quoted(a.direction.get(i))));
        }
      }
    }
    if (a.flags == null) {
      error(p + ".flags", "must be a list (may be empty)");
    } else {
      for (int i = 0; i < a.flags.size(); i++) {
        if (!isMediaFlag(a.flags.get(i))) {
          error(
              p + ".flags[" + i + "]",
              "must be a word of letters, digits and - _ . / = : (1 to 64 characters), was "
                  + (a.flags.get(i) == null ? "null" : quoted(a.flags.get(i))));
        }
      }
    }
  }

  /** An RTPengine interface name (its --interface=NAME/ADDRESS): a short word. */
  private static boolean isInterfaceName(String s) {
    if (s == null || s.isEmpty() || s.length() > 32) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '_'
          || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /** The Service's and pods' placement in a cluster (spec.infrastructure). */
  private void infrastructure(SipGateway.Infrastructure inf) {
    String p = "spec.infrastructure";
    if (inf.loadBalancerSourceRanges != null) {
      for (int i = 0; i < inf.loadBalancerSourceRanges.size(); i++) {
        String cidr = inf.loadBalancerSourceRanges.get(i);
        String why = cidr == null ? "empty list entry" : cidrProblem(cidr);
        if (why != null) {
          error(p + ".loadBalancerSourceRanges[" + i + "]", why);
        }
      }
    }
    if (inf.loadBalancerIP != null && !IpLiteral.isIpLiteral(inf.loadBalancerIP)) {
      error(
          p + ".loadBalancerIP", "must be an IPv4 or IPv6 address: " + quoted(inf.loadBalancerIP));
    }
    if (inf.loadBalancerClass != null && inf.loadBalancerClass.isBlank()) {
      error(p + ".loadBalancerClass", "must not be empty when given");
    }
    if (inf.tolerations != null) {
      for (int i = 0; i < inf.tolerations.size(); i++) {
        SipGateway.Toleration t = inf.tolerations.get(i);
        String tp = p + ".tolerations[" + i + "]";
        if (t == null) {
          error(tp, "empty list entry");
          continue;
        }
        if (t.operator != null && !t.operator.equals("Exists") && !t.operator.equals("Equal")) {
          error(tp + ".operator", "must be Exists or Equal (was " + t.operator + ")");
        }
        if (t.effect != null
            && !java.util.Set.of("NoSchedule", "PreferNoSchedule", "NoExecute")
                .contains(t.effect)) {
          error(
              tp + ".effect",
              "must be NoSchedule, PreferNoSchedule or NoExecute (was " + t.effect + ")");
        }
        if ("Exists".equals(t.operator) && t.value != null) {
          error(tp + ".value", "must be empty with operator Exists");
        }
      }
    }
  }

  /** An RTPengine flag word: what goes into the ng {@code flags} list as it is. */
  static boolean isMediaFlag(String f) {
    if (f == null || f.isEmpty() || f.length() > 64) {
      return false;
    }
    for (int i = 0; i < f.length(); i++) {
      char c = f.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == '/'
              || c == '='
              || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  // Our own fixed pattern (not user-written): java.util.regex is fine here.
  private static final java.util.regex.Pattern QUANTITY =
      java.util.regex.Pattern.compile("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$");

  private void quantities(String path, Map<String, String> q) {
    if (q == null) {
      error(path, "must be a mapping (may be empty)");
      return;
    }
    for (Map.Entry<String, String> e : q.entrySet()) {
      if (e.getValue() == null || !QUANTITY.matcher(e.getValue()).matches()) {
        error(
            path + "." + e.getKey(),
            "not a Kubernetes quantity such as 500m, 2 or 512Mi (was " + e.getValue() + ")");
      }
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
      rule(rule, p);
    }
  }

  private void rule(SipRoute.Rule rule, String p) {
    if (rule.recordRoute == null) {
      error(p + ".recordRoute", "must be true or false");
    }
    if (rule.allowRelay == null) {
      error(p + ".allowRelay", "must be true or false");
    }
    if (rule.allowInDialog == null) {
      error(p + ".allowInDialog", "must be true or false");
    }
    if (rule.topologyHiding != null) {
      topologyHiding(rule.topologyHiding, p + ".topologyHiding");
    }
    if (rule.nat != null) {
      nat(rule.nat, p + ".nat");
    }
    if (rule.callLimits != null) {
      callLimits(rule, p + ".callLimits");
    }
    if (rule.media != null) {
      mediaAnchoring(rule.media, p + ".media");
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
        } else {
          match(match, p + ".matches[" + m + "]");
        }
      }
    }
    if (rule.filters == null) {
      error(p + ".filters", "must be a list (may be empty)");
    } else {
      for (int f = 0; f < rule.filters.size(); f++) {
        SipRoute.Filter filter = rule.filters.get(f);
        if (filter == null) {
          error(p + ".filters[" + f + "]", "empty list entry");
        } else {
          filter(filter, p + ".filters[" + f + "]");
        }
      }
    }
    if (rule.authentication != null) {
      SipRoute.Authentication a = rule.authentication;
      if (a.digest == null) {
        error(p + ".authentication.digest", "must be true or false");
      }
      if (a.checkFrom == null) {
        error(p + ".authentication.checkFrom", "must be true or false");
      }
      cidrs(p + ".authentication.trustedSources", a.trustedSources);
      if (Boolean.FALSE.equals(a.digest)
          && a.trustedSources != null
          && a.trustedSources.isEmpty()) {
        error(
            p + ".authentication",
            "with digest false, trustedSources must list the networks allowed");
      }
    }
    List<String> actions = new ArrayList<>();
    if (rule.registrar != null) {
      if (!"Register".equals(rule.registrar) && !"Lookup".equals(rule.registrar)) {
        error(p + ".registrar", "must be Register or Lookup (was " + rule.registrar + ")");
      }
      actions.add("registrar");
    }
    if (rule.backendRefs != null && !rule.backendRefs.isEmpty()) {
      actions.add("backendRefs");
    }
    if (rule.reject != null) {
      actions.add("reject");
    }
    if (rule.redirect != null) {
      actions.add("redirect");
    }
    if (rule.respond != null) {
      actions.add("respond");
    }
    if (actions.size() != 1) {
      error(
          p,
          (rule.name == null ? "" : "rule '" + rule.name + "' ")
              + "needs exactly one action: backendRefs (at least one), reject, redirect, respond"
              + " or registrar"
              + (actions.isEmpty() ? " (has none)" : " (has " + String.join(", ", actions) + ")"));
    }
    for (int b = 0; rule.backendRefs != null && b < rule.backendRefs.size(); b++) {
      SipRoute.BackendRef ref = rule.backendRefs.get(b);
      if (ref == null) {
        error(p + ".backendRefs[" + b + "]", "empty list entry");
      } else {
        backendRef(ref, p + ".backendRefs[" + b + "]");
      }
    }
    if (rule.failover == null) {
      error(p + ".failover", "required");
    } else if (rule.failover.codes == null) {
      error(p + ".failover.codes", "must be a list (may be empty)");
    } else {
      for (int c = 0; c < rule.failover.codes.size(); c++) {
        String code = rule.failover.codes.get(c);
        if (code == null || !isFailoverCode(code)) {
          error(
              p + ".failover.codes[" + c + "]",
              "must be a status code 300..699 (\"503\") or a class 4xx, 5xx or 6xx (was "
                  + code
                  + ")");
        }
      }
    }
    if (rule.reject != null) {
      range(p + ".reject.statusCode", rule.reject.statusCode, 400, 699);
      reasonPhrase(p + ".reject.reason", rule.reject.reason);
    }
    if (rule.redirect != null) {
      range(p + ".redirect.statusCode", rule.redirect.statusCode, 300, 399);
      List<String> contacts = rule.redirect.contacts;
      if (contacts == null || contacts.isEmpty()) {
        error(p + ".redirect.contacts", "at least one contact (a sip:, sips: or tel: URI)");
      } else {
        for (int c = 0; c < contacts.size(); c++) {
          String u = contacts.get(c);
          String cp = p + ".redirect.contacts[" + c + "]";
          if (u == null) {
            error(cp, "empty list entry");
          } else if (!hasScheme(u, "sip:") && !hasScheme(u, "sips:") && !hasScheme(u, "tel:")) {
            error(cp, "must be a sip:, sips: or tel: URI (was " + u + ")");
          } else if (!SipGrammar.isText(u) || u.indexOf(' ') >= 0 || u.indexOf('\t') >= 0) {
            error(cp, "must not contain spaces or control characters");
          }
        }
      }
    }
    if (rule.respond != null) {
      range(p + ".respond.statusCode", rule.respond.statusCode, 200, 699);
      reasonPhrase(p + ".respond.reason", rule.respond.reason);
    }
  }

  private void callLimits(SipRoute.Rule rule, String p) {
    SipRoute.CallLimits c = rule.callLimits;
    if (c.maxCalls == null && c.maxCallsPerSecond == null && c.maxCallsPerSource == null) {
      error(
          p, "give maxCalls, maxCallsPerSecond and/or maxCallsPerSource (or leave out callLimits)");
    }
    if (c.maxCallsPerSource != null) {
      range(p + ".maxCallsPerSource", c.maxCallsPerSource, 1, 10_000_000);
    }
    if (c.maxCalls != null) {
      range(p + ".maxCalls", c.maxCalls, 1, 10_000_000);
    }
    if (c.maxCallsPerSecond != null) {
      range(p + ".maxCallsPerSecond", c.maxCallsPerSecond, 1, 1_000_000);
    }
    range(p + ".retryAfterSeconds", c.retryAfterSeconds, 0, 86_400);
    if (rule.backendRefs == null || rule.backendRefs.isEmpty()) {
      error(p, "only for a rule with backendRefs: a rule that answers itself carries no call");
    }
  }

  private void match(SipRoute.Match match, String p) {
    List<String> methods = match.methods;
    if (methods == null) {
      error(p + ".methods", "must be a list (may be empty)");
    }
    for (int k = 0; methods != null && k < methods.size(); k++) {
      String method = methods.get(k);
      if (method == null || !SipGrammar.isToken(method)) {
        error(p + ".methods[" + k + "]", "not a SIP method: " + method);
      }
    }
    uriMatch(match.requestUri, p + ".requestUri");
    uriMatch(match.from, p + ".from");
    uriMatch(match.to, p + ".to");
    if (match.headers == null) {
      error(p + ".headers", "must be a list (may be empty)");
    }
    for (int h = 0; match.headers != null && h < match.headers.size(); h++) {
      SipRoute.HeaderMatch hm = match.headers.get(h);
      String hp = p + ".headers[" + h + "]";
      if (hm == null) {
        error(hp, "empty list entry");
        continue;
      }
      headerName(hp + ".name", hm.name);
      if (hm.type == null || !Defaults.HEADER_MATCH_TYPES.contains(hm.type)) {
        error(hp + ".type", "'" + hm.type + "' is not one of " + Defaults.HEADER_MATCH_TYPES);
      } else if ("Present".equals(hm.type)) {
        if (hm.value != null) {
          error(
              hp + ".value",
              "not used by type Present (the default): set type Exact or RegularExpression"
                  + " to compare the value");
        }
      } else if (hm.value == null) {
        error(hp + ".value", "required for type " + hm.type);
      } else if ("RegularExpression".equals(hm.type)) {
        regex(hp + ".value", hm.value);
      }
    }
    if (match.sourceCidrs == null) {
      error(p + ".sourceCidrs", "must be a list (may be empty)");
    }
    for (int c = 0; match.sourceCidrs != null && c < match.sourceCidrs.size(); c++) {
      String cidr = match.sourceCidrs.get(c);
      String why = cidr == null ? "empty list entry" : cidrProblem(cidr);
      if (why != null) {
        error(p + ".sourceCidrs[" + c + "]", why);
      }
    }
    if (match.listeners == null) {
      error(p + ".listeners", "must be a list (may be empty)");
    }
    for (int l = 0; match.listeners != null && l < match.listeners.size(); l++) {
      String name = match.listeners.get(l);
      if (name == null || name.isBlank()) {
        error(p + ".listeners[" + l + "]", "empty list entry");
      }
    }
    if (match.transports == null) {
      error(p + ".transports", "must be a list (may be empty)");
    }
    for (int t = 0; match.transports != null && t < match.transports.size(); t++) {
      String tr = match.transports.get(t);
      if (tr == null || !Defaults.TRANSPORTS.contains(tr)) {
        error(p + ".transports[" + t + "]", "'" + tr + "' is not one of " + Defaults.TRANSPORTS);
      }
    }
  }

  private void uriMatch(SipRoute.UriMatch m, String p) {
    if (m == null) {
      return;
    }
    if (m.user == null && m.host == null) {
      error(p, "set user or host (or leave out " + p.substring(p.lastIndexOf('.') + 1) + ")");
    }
    stringMatch(m.user, p + ".user");
    stringMatch(m.host, p + ".host");
  }

  private void stringMatch(SipRoute.StringMatch m, String p) {
    if (m == null) {
      return;
    }
    if (m.type == null || !Defaults.STRING_MATCH_TYPES.contains(m.type)) {
      error(p + ".type", "'" + m.type + "' is not one of " + Defaults.STRING_MATCH_TYPES);
    }
    if (m.value == null) {
      error(p + ".value", "required");
    } else if ("RegularExpression".equals(m.type)) {
      regex(p + ".value", m.value);
    }
  }

  private void filter(SipRoute.Filter f, String p) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("rewriteUser", f.rewriteUser);
    settings.put("requestHeaderModifier", f.requestHeaderModifier);
    settings.put("rewriteRequestUri", f.rewriteRequestUri);
    settings.put("recordRoute", f.recordRoute);
    String field = null;
    if (f.type == null) {
      error(p + ".type", "required, one of " + Defaults.FILTER_TYPES);
    } else if (!Defaults.FILTER_TYPES.contains(f.type)) {
      error(p + ".type", "'" + f.type + "' is not one of " + Defaults.FILTER_TYPES);
    } else {
      field = Character.toLowerCase(f.type.charAt(0)) + f.type.substring(1);
      if (settings.get(field) == null) {
        error(p + "." + field, "required for type " + f.type);
      }
    }
    for (Map.Entry<String, Object> e : settings.entrySet()) {
      if (e.getValue() != null && !e.getKey().equals(field) && field != null) {
        error(p + "." + e.getKey(), "not allowed with type " + f.type + " (one filter, one type)");
      }
    }
    if (f.rewriteUser != null) {
      SipRoute.RewriteUser ru = f.rewriteUser;
      String rp = p + ".rewriteUser";
      if (ru.stripPrefix == null) {
        error(rp + ".stripPrefix", "must not be null");
      } else if (ru.stripPrefix < 0) {
        error(rp + ".stripPrefix", "must be 0 or more (was " + ru.stripPrefix + ")");
      }
      if (ru.replace != null) {
        if (ru.replace.pattern == null) {
          error(rp + ".replace.pattern", "required");
        } else {
          Pattern pattern = regex(rp + ".replace.pattern", ru.replace.pattern);
          if (ru.replace.substitution == null) {
            error(rp + ".replace.substitution", "required (may be \"\")");
          } else if (pattern != null) {
            try {
              Substitution sub = Substitution.compile(pattern, ru.replace.substitution);
              if (!sub.literalTextIsUserText()) {
                error(
                    rp + ".replace.substitution",
                    "its text (besides $n groups) may hold only characters allowed in a SIP URI"
                        + " user part (letters, digits, -_.!~*'()&=+$,;?/ and %XX escapes; was "
                        + quoted(ru.replace.substitution)
                        + ")");
              }
            } catch (IllegalArgumentException e) {
              error(rp + ".replace.substitution", e.getMessage());
            }
          }
        }
      }
      if (ru.addPrefix != null && !SipGrammar.isUserPart(ru.addPrefix)) {
        error(
            rp + ".addPrefix",
            "may hold only characters allowed in a SIP URI user part (letters, digits,"
                + " -_.!~*'()&=+$,;?/ and %XX escapes; was "
                + quoted(ru.addPrefix)
                + ")");
      }
    }
    if (f.requestHeaderModifier != null) {
      SipRoute.RequestHeaderModifier m = f.requestHeaderModifier;
      String mp = p + ".requestHeaderModifier";
      boolean empty = true;
      for (String op : List.of("add", "set")) {
        List<SipRoute.Header> hs = "add".equals(op) ? m.add : m.set;
        if (hs == null) {
          error(mp + "." + op, "must be a list (may be empty)");
          continue;
        }
        empty &= hs.isEmpty();
        for (int h = 0; h < hs.size(); h++) {
          SipRoute.Header hd = hs.get(h);
          String hp = mp + "." + op + "[" + h + "]";
          if (hd == null) {
            error(hp, "empty list entry");
            continue;
          }
          modifiableHeader(hp + ".name", hd.name);
          if (hd.value == null) {
            error(hp + ".value", "required");
          } else if (!SipGrammar.isText(hd.value)) {
            error(hp + ".value", "must not contain line breaks or control characters");
          }
        }
      }
      if (m.remove == null) {
        error(mp + ".remove", "must be a list (may be empty)");
      } else {
        empty &= m.remove.isEmpty();
        for (int h = 0; h < m.remove.size(); h++) {
          modifiableHeader(mp + ".remove[" + h + "]", m.remove.get(h));
        }
      }
      if (empty) {
        error(mp, "nothing to do: give add, set or remove");
      }
    }
    if (f.rewriteRequestUri != null) {
      SipRoute.RewriteRequestUri u = f.rewriteRequestUri;
      String up = p + ".rewriteRequestUri";
      if (u.host == null && u.port == null) {
        error(up, "nothing to do: give host and/or port");
      }
      if (u.host != null && !IpLiteral.isIpLiteral(u.host) && !HostName.isValid(u.host)) {
        error(
            up + ".host",
            "not a host name or IP address (IPv6 without brackets): " + quoted(u.host));
      }
      if (u.port != null && (u.port < 1 || u.port > 65535)) {
        error(up + ".port", "must be 1..65535 (was " + u.port + ")");
      }
    }
    if (f.recordRoute != null && f.recordRoute.enabled == null) {
      error(p + ".recordRoute.enabled", "must be true or false");
    }
  }

  private void backendRef(SipRoute.BackendRef ref, String p) {
    boolean byUri = ref.uri != null;
    boolean byName = ref.kind != null || ref.name != null;
    if (byUri && byName) {
      error(
          p,
          "give either uri or kind: "
              + SipDispatcher.KIND
              + " with name, not both (uri "
              + ref.uri
              + ", "
              + (ref.kind != null ? "kind " + ref.kind : "name " + ref.name)
              + ")");
    } else if (!byUri && !byName) {
      error(p + ".uri", "required (or kind: " + SipDispatcher.KIND + " and name)");
    } else if (byUri) {
      sipUri(p + ".uri", ref.uri);
      if (ref.namespace != null) {
        error(p + ".namespace", "only with kind: " + SipDispatcher.KIND);
      }
    } else {
      if (ref.kind == null) {
        error(p + ".kind", "required with name (kind: " + SipDispatcher.KIND + ")");
      } else if (!SipDispatcher.KIND.equals(ref.kind)) {
        error(p + ".kind", "must be " + SipDispatcher.KIND + " (was " + ref.kind + ")");
      }
      if (ref.name == null || ref.name.isBlank()) {
        error(p + ".name", "required: the name of a " + SipDispatcher.KIND);
      }
    }
    range(p + ".weight", ref.weight, 0, 1000);
    range(p + ".priority", ref.priority, 0, 1000);
  }

  void dispatcher(SipDispatcher d) {
    common(d);
    SipDispatcher.Spec s = d.spec;
    if (s == null) {
      error("spec", "required");
      return;
    }
    if (s.destinations == null || s.destinations.isEmpty()) {
      error("spec.destinations", "at least one destination is required");
    } else {
      Set<String> uris = new HashSet<>();
      for (int i = 0; i < s.destinations.size(); i++) {
        SipDispatcher.Destination dst = s.destinations.get(i);
        String p = "spec.destinations[" + i + "]";
        if (dst == null) {
          error(p, "empty list entry");
          continue;
        }
        if (dst.uri != null && dst.serviceRef != null) {
          error(
              p,
              "give either uri or serviceRef, not both (uri "
                  + dst.uri
                  + ", serviceRef "
                  + dst.serviceRef.name
                  + ")");
        } else if (dst.serviceRef != null) {
          String key = serviceRef(p + ".serviceRef", dst.serviceRef);
          if (key != null && !uris.add(key)) {
            error(p + ".serviceRef", "duplicate destination " + key);
          }
        } else if (dst.uri == null) {
          error(p + ".uri", "required (or serviceRef: a Kubernetes Service, in a cluster)");
        } else if (sipUri(p + ".uri", dst.uri) && !uris.add(dst.uri)) {
          error(p + ".uri", "duplicate destination " + dst.uri);
        }
        range(p + ".weight", dst.weight, 0, 1000);
        range(p + ".priority", dst.priority, 0, 1000);
        if (dst.maxCalls != null) {
          range(p + ".maxCalls", dst.maxCalls, 1, 10_000_000);
        }
      }
    }
    if (s.algorithm == null || !Defaults.DISPATCH_ALGORITHMS.contains(s.algorithm)) {
      error(
          "spec.algorithm", "'" + s.algorithm + "' is not one of " + Defaults.DISPATCH_ALGORITHMS);
    }
    if (s.hashKey == null || !Defaults.HASH_KEYS.contains(s.hashKey)) {
      error("spec.hashKey", "'" + s.hashKey + "' is not one of " + Defaults.HASH_KEYS);
    }
    SipDispatcher.Probe pr = s.probe;
    if (pr == null) {
      error("spec.probe", "required");
      return;
    }
    if (pr.enabled == null) {
      error("spec.probe.enabled", "must be true or false");
    }
    range("spec.probe.intervalMillis", pr.intervalMillis, 100, 3_600_000);
    range("spec.probe.timeoutMillis", pr.timeoutMillis, 50, 60_000);
    if (pr.intervalMillis != null
        && pr.timeoutMillis != null
        && pr.timeoutMillis >= pr.intervalMillis) {
      error(
          "spec.probe.timeoutMillis",
          "must be below intervalMillis (" + pr.timeoutMillis + " >= " + pr.intervalMillis + ")");
    }
    range("spec.probe.failureThreshold", pr.failureThreshold, 1, 100);
    range("spec.probe.successThreshold", pr.successThreshold, 1, 100);
  }

  /**
   * Checks a Service reference; returns how duplicates are recognized
   * (namespace/name:port/transport) when it is valid, else null.
   */
  private String serviceRef(String p, SipDispatcher.ServiceRef ref) {
    int before = problems.size();
    if (ref.name == null || ref.name.isBlank()) {
      error(p + ".name", "required: the name of a Service");
    } else if (!isDnsLabelName(ref.name)) {
      error(p + ".name", "must be a Service name (DNS-1035 label: a-z, 0-9, '-'): " + ref.name);
    }
    if (ref.namespace != null && !isDnsLabelName(ref.namespace)) {
      error(p + ".namespace", "must be a namespace name (DNS label): " + ref.namespace);
    }
    IntOrName port = ref.port;
    if (port == null) {
      error(p + ".port", "required: the Service port, by number or by name");
    } else if (port.number() != null) {
      if (port.number() < 1 || port.number() > 65535) {
        error(p + ".port", "must be 1..65535 (was " + port.number() + ")");
      }
    } else if (!isPortName(port.name())) {
      error(
          p + ".port",
          "must be a port number or a port name (at most 15 of a-z, 0-9, '-', with a letter): "
              + port.name());
    }
    if (ref.transport == null || !Defaults.SERVICE_REF_TRANSPORTS.contains(ref.transport)) {
      error(
          p + ".transport",
          "'" + ref.transport + "' is not one of " + Defaults.SERVICE_REF_TRANSPORTS);
    }
    if (problems.size() > before) {
      return null;
    }
    return "Service "
        + (ref.namespace == null ? "" : ref.namespace + "/")
        + ref.name
        + ":"
        + port
        + "/"
        + ref.transport;
  }

  /** A DNS-1123 label: at most 63 of a-z, 0-9 and '-', starting and ending alphanumeric. */
  private static boolean isDnsLabelName(String s) {
    if (s.isEmpty() || s.length() > 63 || s.startsWith("-") || s.endsWith("-")) {
      return false;
    }
    return s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }

  /** An IANA service name, as Kubernetes port names are: at most 15, with a letter, no "--". */
  private static boolean isPortName(String s) {
    return s != null
        && isDnsLabelName(s)
        && s.length() <= 15
        && !s.contains("--")
        && s.chars().anyMatch(c -> c >= 'a' && c <= 'z');
  }

  /**
   * A sip: or sips: URI whose host is an IP address or a host name (kept as a name: the runtime
   * resolves it as RFC 3263 says); reports and returns false otherwise.
   */
  private boolean sipUri(String path, String u) {
    int scheme = u == null ? 0 : u.startsWith("sip:") ? 4 : u.startsWith("sips:") ? 5 : 0;
    if (u == null) {
      error(path, "required");
    } else if (scheme == 0) {
      error(path, "must be a sip: or sips: URI (was " + u + ")");
    } else if (!hostOk(u.substring(scheme))) {
      error(
          path,
          "host must be an IP address (IPv6 in brackets) or a host name, with an optional port: "
              + quoted(u));
    } else {
      return true;
    }
    return false;
  }

  /**
   * Compiles an RE2 regular expression as the runtime will, reporting why it does not compile
   * (Perl-only syntax such as backreferences or lookaround included); null when it does not.
   */
  private Pattern regex(String path, String value) {
    try {
      return RegularExpression.compile(value, false);
    } catch (IllegalArgumentException e) {
      error(path, e.getMessage());
      return null;
    }
  }

  /**
   * A listener's advertisedAddress, written into every Via and Record-Route: a host name or an IP
   * address, IPv6 without brackets as in {@code address} (the runtime adds them in URIs). Nothing
   * else: a CR or LF here would start a header of the writer's choosing in every request.
   */
  private void advertisedHost(String path, String host) {
    if (host.startsWith("[") && IpLiteral.parse(host, null) == 16) {
      error(path, "write an IPv6 address without brackets, as in address: " + quoted(host));
    } else if (!HostName.isValid(host) && !IpLiteral.isIpLiteral(host)) {
      error(
          path,
          "must be a host name or an IPv4 or IPv6 address (IPv6 without brackets): "
              + quoted(host));
    }
  }

  /** A configured value in an error message, with line breaks and controls made visible. */
  private static String quoted(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '"' -> sb.append("\\\"");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private void headerName(String path, String name) {
    if (name == null || name.isEmpty()) {
      error(path, "required");
    } else if (!SipGrammar.isToken(name)) {
      error(path, "not a SIP header name (a token): " + name);
    }
  }

  /** Headers the proxy itself maintains: changing them would break transactions or dialogs. */
  private static final Set<String> PROXY_HEADERS =
      Set.of(
          "via",
          "v",
          "from",
          "f",
          "to",
          "t",
          "call-id",
          "i",
          "cseq",
          "content-length",
          "l",
          "route",
          "record-route");

  private void modifiableHeader(String path, String name) {
    headerName(path, name);
    if (name != null && PROXY_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      error(path, name + " is maintained by the proxy and cannot be modified");
    }
  }

  private void reasonPhrase(String path, String reason) {
    if (reason != null && !SipGrammar.isText(reason)) {
      error(path, "must not contain line breaks or control characters");
    }
  }

  private static boolean hasScheme(String uri, String scheme) {
    return uri.regionMatches(true, 0, scheme, 0, scheme.length()) && uri.length() > scheme.length();
  }

  private static boolean isFailoverCode(String code) {
    if (code.length() != 3) {
      return false;
    }
    if (code.endsWith("xx")) {
      return code.charAt(0) >= '4' && code.charAt(0) <= '6';
    }
    if (!code.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    int v = Integer.parseInt(code);
    return v >= 300 && v <= 699;
  }

  /**
   * Why the text is not an IPv4 or IPv6 network ("192.0.2.0/24", "2001:db8::/32", or a bare address
   * meaning /32 or /128), or null.
   */
  static String cidrProblem(String cidr) {
    try {
      IpNetwork.parse(cidr);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private void range(String path, Integer v, int min, int max) {
    if (v == null) {
      error(path, "must not be null");
    } else if (v < min || v > max) {
      error(path, "must be " + min + ".." + max + " (was " + v + ")");
    }
  }

  /** The host part of "user@host:port;params" is an IP literal or a host name. */
  private static boolean hostOk(String rest) {
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
      return close > 0
          && IpLiteral.isIpv6(hp.substring(1, close))
          && portOk(hp.substring(close + 1));
    }
    int colon = hp.indexOf(':');
    String host = colon < 0 ? hp : hp.substring(0, colon);
    // An IPv6 address in a URI takes brackets (RFC 3261 25.1 IPv6reference, RFC 5118 4.2).
    return (IpLiteral.isIpv4(host) || HostName.isValid(host))
        && portOk(colon < 0 ? "" : hp.substring(colon));
  }

  private static boolean portOk(String s) {
    if (s.isEmpty()) {
      return true;
    }
    if (s.charAt(0) != ':' || s.length() < 2 || s.length() > 6) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    int p = Integer.parseInt(s.substring(1));
    return p > 0 && p < 65536;
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
}
