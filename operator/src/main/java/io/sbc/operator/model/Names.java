package io.sbc.operator.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of the objects made for a gateway. */
public final class Names {
  private Names() {}

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "sbc-operator";

  /** The label selector of every object the operator makes (its informers watch only these). */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

  /** Deployment, Service, ServiceAccount, Role, RoleBinding, HPA and PDB of a gateway. */
  public static String workload(HasMetadata gateway) {
    return gateway.getMetadata().getName() + "-sbc";
  }

  /** The ConfigMap holding a gateway's resolved configuration. */
  public static String configMap(HasMetadata gateway) {
    return gateway.getMetadata().getName() + "-sbc-config";
  }

  /**
   * The Secret holding a gateway's sealing secret (made once when the gateway has no spec.sealing;
   * see {@link WorkloadModel#sealingSecret}).
   */
  public static String sealingSecret(HasMetadata gateway) {
    return gateway.getMetadata().getName() + "-sealing";
  }

  /** The label naming the gateway an object was made for. */
  public static final String INSTANCE = "app.kubernetes.io/instance";

  /** The labels that select a gateway's pods. */
  public static Map<String, String> selector(HasMetadata gateway) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("app.kubernetes.io/name", "sbc");
    m.put(INSTANCE, gateway.getMetadata().getName());
    return m;
  }

  /** The labels of every object made for a gateway. */
  public static Map<String, String> labels(HasMetadata gateway) {
    Map<String, String> m = selector(gateway);
    m.put("app.kubernetes.io/component", "sip-gateway");
    m.put(MANAGED_BY, MANAGED_BY_VALUE);
    return m;
  }
}
