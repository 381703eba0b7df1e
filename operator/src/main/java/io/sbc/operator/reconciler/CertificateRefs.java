package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sbc.api.SipGateway;
import io.sbc.api.Tls;
import io.sbc.operator.crd.SipGatewayResource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks the Secrets that TLS listeners name in certificateRefs: each must exist in the gateway's
 * namespace and hold a PEM certificate (tls.crt) and a PEM private key (tls.key), as a Secret of
 * type kubernetes.io/tls does. Read by name (get), never listed or watched: a gateway with a
 * problem is looked at again a minute later.
 */
final class CertificateRefs {
  private CertificateRefs() {}

  /** By listener name: why its certificateRefs do not resolve (absent: they do). */
  static Map<String, String> problems(SipGatewayResource gw, KubernetesClient client) {
    Map<String, String> out = new LinkedHashMap<>();
    String ns = gw.getMetadata().getNamespace();
    for (SipGateway.Listener l : gw.getSpec().listeners) {
      if (l == null || l.tls == null || l.tls.certificateRefs == null) {
        continue;
      }
      for (Tls.CertificateRef r : l.tls.certificateRefs) {
        if (r == null || r.name == null) {
          continue;
        }
        String problem = problem(client.secrets().inNamespace(ns).withName(r.name).get(), r.name);
        if (problem != null) {
          out.merge(l.name, problem, (a, b) -> a + "; " + b);
        }
      }
    }
    return out;
  }

  /** Why a Secret cannot serve as a certificate and key, or null when it can. */
  static String problem(Secret s, String name) {
    if (s == null) {
      return "Secret " + name + " not found";
    }
    Map<String, String> data = s.getData() == null ? Map.of() : s.getData();
    String crt = decoded(data.get("tls.crt"));
    String key = decoded(data.get("tls.key"));
    if (crt == null || !crt.contains("-----BEGIN CERTIFICATE-----")) {
      return "Secret " + name + ": tls.crt holds no PEM certificate";
    }
    if (key == null || !key.contains("PRIVATE KEY-----") || key.contains("ENCRYPTED")) {
      return "Secret " + name + ": tls.key holds no unencrypted PEM private key";
    }
    return null;
  }

  private static String decoded(String base64) {
    if (base64 == null) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
