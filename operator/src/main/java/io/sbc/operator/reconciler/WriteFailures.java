package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.sbc.api.status.Conditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What kept a reconciliation from writing a gateway's objects, as a Programmed reason and a message
 * naming the objects and the API server's own words (a quota exceeded, an admission webhook's
 * refusal), so that it reaches the gateway's status instead of only the operator's log.
 */
final class WriteFailures {
  private WriteFailures() {}

  /** A reason of Gateway API's Programmed condition and a message. */
  record Failure(String reason, String message) {}

  /** The dependents' names as the workflow declares them, and what they are to a user. */
  private static final Map<String, String> OBJECTS =
      Map.of(
          "configmap", "ConfigMap",
          "serviceaccount", "ServiceAccount",
          "role", "Role",
          "rolebinding", "RoleBinding",
          "deployment", "Deployment",
          "service", "Service",
          "pdb", "PodDisruptionBudget",
          "hpa", "HorizontalPodAutoscaler");

  static Failure describe(Exception e) {
    Map<String, Exception> each = new TreeMap<>();
    if (e instanceof AggregatedOperatorException a) {
      each.putAll(a.getAggregatedExceptions());
    } else {
      each.put("", e);
    }
    List<String> messages = new ArrayList<>();
    String reason = null;
    for (Map.Entry<String, Exception> x : each.entrySet()) {
      KubernetesClientException k = apiError(x.getValue());
      String what = OBJECTS.getOrDefault(x.getKey(), x.getKey());
      String why;
      String r;
      if (k != null && k.getStatus() != null && k.getStatus().getMessage() != null) {
        why = "HTTP " + k.getCode() + ": " + k.getStatus().getMessage();
        r = reasonOf(k.getCode(), k.getStatus().getMessage());
      } else {
        Throwable root = x.getValue();
        while (root.getCause() != null && root.getCause() != root) {
          root = root.getCause();
        }
        why = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        r = Conditions.REASON_PENDING;
      }
      reason = reason == null || Conditions.REASON_PENDING.equals(reason) ? r : reason;
      messages.add(
          (what.isEmpty() ? "" : what + ": ") + "the API server refused the write: " + why);
    }
    return new Failure(reason, String.join("; ", messages));
  }

  /**
   * NoResources for a quota or limit the namespace has reached; Invalid for an object the cluster's
   * admission refused as it is (a webhook or policy); Pending otherwise (retried).
   */
  static String reasonOf(int code, String message) {
    String m = message.toLowerCase(Locale.ROOT);
    if (m.contains("exceeded quota") || m.contains("quota")) {
      return Conditions.REASON_NO_RESOURCES;
    }
    if (code == 400 || code == 403 || code == 422 || m.contains("admission webhook")) {
      return Conditions.REASON_INVALID;
    }
    return Conditions.REASON_PENDING;
  }

  private static KubernetesClientException apiError(Throwable t) {
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (t instanceof KubernetesClientException k) {
        return k;
      }
    }
    return null;
  }
}
