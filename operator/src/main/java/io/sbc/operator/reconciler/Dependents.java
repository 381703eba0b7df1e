package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.sbc.api.CallLimitShare;
import io.sbc.api.ConfigException;
import io.sbc.api.ConfigMapPayload;
import io.sbc.api.ConfigReader;
import io.sbc.api.SipGateway;
import io.sbc.operator.OperatorConfig;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.model.GatewayResolution;
import io.sbc.operator.model.Names;
import io.sbc.operator.model.StatusModel;
import io.sbc.operator.model.WorkloadModel;
import java.util.Map;
import java.util.TreeMap;

/** The objects of a gateway, each computing its desired state from the model only. */
public final class Dependents {
  private Dependents() {}

  private static final String EFFECTIVE = "sbc.effective";

  /**
   * The gateway whose workload should run: the gateway itself while its configuration is accepted;
   * while it is refused, the gateway as it was last accepted (its spec read back from the ConfigMap
   * that still holds that configuration), so a refused change rolls nothing; null for a gateway
   * never accepted, which gets no Deployment, Service or budget that would crash-loop.
   */
  static SipGatewayResource effective(SipGatewayResource gw, Context<SipGatewayResource> context) {
    var store = context.managedWorkflowAndDependentResourceContext();
    java.util.Optional<Object> cached = store.get(EFFECTIVE, Object.class);
    if (cached.isPresent()) {
      return cached.get() instanceof SipGatewayResource r ? r : null;
    }
    SipGatewayResource result = null;
    if (Resolved.of(gw, context).accepted()) {
      result = gw;
    } else {
      ConfigMap last = context.getSecondaryResource(ConfigMap.class).orElse(null);
      String yaml = last == null ? null : StatusModel.storedConfig(last);
      if (yaml != null && !yaml.startsWith("# refused")) {
        try {
          for (SipGateway g : ConfigReader.read("config.yaml", yaml).gateways()) {
            if (gw.getMetadata().getName().equals(g.metadata.name)) {
              SipGatewayResource copy = new SipGatewayResource();
              copy.setMetadata(gw.getMetadata());
              copy.setSpec(g.spec);
              result = copy;
            }
          }
        } catch (ConfigException e) {
          // Not ours to read (edited by hand): nothing accepted to fall back on.
        }
      }
    }
    store.put(EFFECTIVE, result == null ? Boolean.FALSE : result);
    return result;
  }

  /** Whether the gateway has a workload to run: accepted now, or accepted before. */
  public static class WorkloadWanted implements Condition<Object, SipGatewayResource> {
    @Override
    public boolean isMet(
        DependentResource<Object, SipGatewayResource> dependent,
        SipGatewayResource gw,
        Context<SipGatewayResource> context) {
      return effective(gw, context) != null;
    }
  }

  /** The resolved configuration; while the gateway is refused, the last accepted one stays. */
  @KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
  public static class ConfigMapDependent
      extends CRUDKubernetesDependentResource<ConfigMap, SipGatewayResource> {
    @Override
    protected ConfigMap desired(SipGatewayResource gw, Context<SipGatewayResource> context) {
      GatewayResolution res = Resolved.of(gw, context);
      // Each replica's share of the gateway's call limits, recomputed whenever the replicas
      // change (the Deployment's events reconcile the gateway).
      Deployment seen = context.getSecondaryResource(Deployment.class).orElse(null);
      if (res.accepted() && ConfigMapPayload.fits(res.configYaml())) {
        return WorkloadModel.configMap(
            gw, res.configYaml(), WorkloadModel.callLimitShare(gw, seen));
      }
      // Refused, or too large for a ConfigMap (the status says which): the last one stays, with
      // the share of the gateway as last accepted.
      ConfigMap last = context.getSecondaryResource(ConfigMap.class).orElse(null);
      if (last != null && (last.getData() != null || last.getBinaryData() != null)) {
        Map<String, String> data = last.getData() == null ? null : new TreeMap<>(last.getData());
        SipGatewayResource e = effective(gw, context);
        CallLimitShare share = e == null ? null : WorkloadModel.callLimitShare(e, seen);
        if (data != null && share != null) {
          data.put(CallLimitShare.KEY, share.toText());
        }
        return new ConfigMapBuilder(WorkloadModel.configMap(gw, ""))
            .editMetadata()
            .withAnnotations(last.getMetadata().getAnnotations())
            .endMetadata()
            .withData(data)
            .withBinaryData(last.getBinaryData())
            .build();
      }
      return WorkloadModel.configMap(
          gw, "# refused: " + String.join("; ", res.gatewayErrors()).replace('\n', ' ') + "\n");
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
  public static class DeploymentDependent
      extends CRUDKubernetesDependentResource<Deployment, SipGatewayResource> {
    @Override
    protected Deployment desired(SipGatewayResource gw, Context<SipGatewayResource> context) {
      SipGatewayResource e = effective(gw, context);
      Service svc = ClusterServices.own(gw, context);
      return WorkloadModel.deployment(
          e, OperatorConfig.settings(), WorkloadModel.advertised(e, svc));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
  public static class ServiceDependent
      extends CRUDKubernetesDependentResource<Service, SipGatewayResource> {
    @Override
    protected Service desired(SipGatewayResource gw, Context<SipGatewayResource> context) {
      return WorkloadModel.service(effective(gw, context));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
  public static class ServiceAccountDependent
      extends CRUDKubernetesDependentResource<ServiceAccount, SipGatewayResource> {
    @Override
    protected ServiceAccount desired(SipGatewayResource gw, Context<SipGatewayResource> context) {
      return WorkloadModel.serviceAccount(effective(gw, context));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
  public static class RoleDependent
      extends CRUDKubernetesDependentResource<Role, SipGatewayResource> {
    @Override
    protected Role desired(SipGatewayResource gw, Context<SipGatewayResource> context) {
      return WorkloadModel.role(effective(gw, context));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
  public static class RoleBindingDependent
      extends CRUDKubernetesDependentResource<RoleBinding, SipGatewayResource> {
    @Override
    protected RoleBinding desired(SipGatewayResource gw, Context<SipGatewayResource> context) {
      return WorkloadModel.roleBinding(effective(gw, context));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
  public static class DisruptionBudgetDependent
      extends CRUDKubernetesDependentResource<PodDisruptionBudget, SipGatewayResource> {
    @Override
    protected PodDisruptionBudget desired(
        SipGatewayResource gw, Context<SipGatewayResource> context) {
      return WorkloadModel.disruptionBudget(effective(gw, context));
    }
  }

  /** Only while spec.autoscaling is set (removed when it is unset). */
  @KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
  public static class AutoscalerDependent
      extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, SipGatewayResource> {
    @Override
    protected HorizontalPodAutoscaler desired(
        SipGatewayResource gw, Context<SipGatewayResource> context) {
      return WorkloadModel.autoscaler(effective(gw, context));
    }
  }

  /** Whether the gateway asks for autoscaling. */
  public static class AutoscalingWanted
      implements Condition<HorizontalPodAutoscaler, SipGatewayResource> {
    @Override
    public boolean isMet(
        DependentResource<HorizontalPodAutoscaler, SipGatewayResource> dependent,
        SipGatewayResource gw,
        Context<SipGatewayResource> context) {
      SipGatewayResource e = effective(gw, context);
      return e != null && e.getSpec().autoscaling != null;
    }
  }
}
