package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.sbc.api.status.Conditions;
import io.sbc.api.status.SipGatewayStatus;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import io.sbc.operator.model.GatewayResolution;
import io.sbc.operator.model.Names;
import io.sbc.operator.model.StatusModel;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Reconciles a SipGateway into its ConfigMap, RBAC, sealing Secret (unless spec.sealing is set),
 * Deployment, Service, PodDisruptionBudget and (with autoscaling) HorizontalPodAutoscaler, then
 * writes its status. SipRoutes, SipDispatchers and EndpointSlices (of the Services that dispatchers
 * name) are watched too: a change re-reconciles the gateways it affects.
 */
@ControllerConfiguration(name = "sipgateway")
// The sealing Secret (SealingSecrets): read by name and created, never listed, watched, updated
// or deleted (the garbage collector deletes it with the gateway). Not a dependent, so declared
// here. TLS listeners' certificate Secrets (CertificateRefs) are read by name with the same get.
@RBACRule(
    apiGroups = "",
    resources = "secrets",
    verbs = {"get", "create"})
// Invoked from reconcile(), after the sealing Secret is there, so that new pods find it to mount.
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "configmap", type = Dependents.ConfigMapDependent.class),
      @Dependent(
          name = "serviceaccount",
          type = Dependents.ServiceAccountDependent.class,
          reconcilePrecondition = Dependents.WorkloadWanted.class),
      @Dependent(
          name = "role",
          type = Dependents.RoleDependent.class,
          reconcilePrecondition = Dependents.WorkloadWanted.class),
      @Dependent(
          name = "rolebinding",
          type = Dependents.RoleBindingDependent.class,
          reconcilePrecondition = Dependents.WorkloadWanted.class),
      @Dependent(
          name = "deployment",
          type = Dependents.DeploymentDependent.class,
          reconcilePrecondition = Dependents.WorkloadWanted.class),
      @Dependent(
          name = "service",
          type = Dependents.ServiceDependent.class,
          reconcilePrecondition = Dependents.WorkloadWanted.class),
      @Dependent(
          name = "pdb",
          type = Dependents.DisruptionBudgetDependent.class,
          reconcilePrecondition = Dependents.WorkloadWanted.class),
      @Dependent(
          name = "hpa",
          type = Dependents.AutoscalerDependent.class,
          reconcilePrecondition = Dependents.AutoscalingWanted.class)
    })
public class SipGatewayReconciler implements Reconciler<SipGatewayResource> {

  @Override
  public List<EventSource<?, SipGatewayResource>> prepareEventSources(
      EventSourceContext<SipGatewayResource> context) {
    InformerEventSource<SipRouteResource, SipGatewayResource> routes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(SipRouteResource.class, SipGatewayResource.class)
                .withSecondaryToPrimaryMapper(Mappers::gatewaysNowOrBefore)
                .build(),
            context);
    InformerEventSource<SipDispatcherResource, SipGatewayResource> dispatchers =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(
                    SipDispatcherResource.class, SipGatewayResource.class)
                .withSecondaryToPrimaryMapper(d -> Mappers.gatewaysOf(d, routes))
                .build(),
            context);
    // Services that dispatchers name, and their endpoints: Service or slice -> dispatchers ->
    // routes -> gateways.
    List<InformerEventSource<?, SipGatewayResource>> services =
        ClusterServices.eventSources(context, svc -> Mappers.gatewaysOf(svc, dispatchers, routes));
    // Nodes (cluster-scoped, all of them whatever namespaces are watched) give NodePort gateways
    // their addresses: read from this cache, never listed per reconciliation. Only a change of
    // addresses is an event (a node's status changes at every heartbeat).
    InformerEventSource<Node, SipGatewayResource> nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, SipGatewayResource.class)
                .withName(NODES)
                .withWatchAllNamespaces()
                .withFollowControllerNamespacesChanges(false)
                .withOnUpdateFilter(
                    (now, before) -> !Objects.equals(addressesOf(now), addressesOf(before)))
                .withSecondaryToPrimaryMapper(
                    n ->
                        context
                            .getPrimaryCache()
                            .list(g -> g.getSpec() != null && usesNodes(g))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    // The gateways' pods (the operator's label, in the watched namespaces): which are ready, and
    // where to ask which configuration they run.
    InformerEventSource<Pod, SipGatewayResource> pods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, SipGatewayResource.class)
                .withName(PODS)
                .withLabelSelector(Names.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(
                    p -> {
                      String gw = p.getMetadata().getLabels().get(Names.INSTANCE);
                      return gw == null
                          ? Set.of()
                          : Set.of(new ResourceID(gw, p.getMetadata().getNamespace()));
                    })
                .build(),
            context);
    List<EventSource<?, SipGatewayResource>> all = new ArrayList<>();
    all.addAll(List.of(routes, dispatchers, nodes, pods));
    all.addAll(services);
    return all;
  }

  private static final String PODS = "pods";

  /** The gateway's ready pods, from the informer's cache, by name. */
  @SuppressWarnings("unchecked")
  private static List<Pod> servingPods(SipGatewayResource gw, Context<SipGatewayResource> context) {
    InformerEventSource<Pod, SipGatewayResource> cache =
        (InformerEventSource<Pod, SipGatewayResource>)
            context.eventSourceRetriever().getEventSourceFor(Pod.class, PODS);
    String name = gw.getMetadata().getName();
    return cache
        .list(
            gw.getMetadata().getNamespace(),
            p -> name.equals(p.getMetadata().getLabels().get(Names.INSTANCE)))
        .filter(RuntimeReports::serving)
        .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  private static final String NODES = "nodes";

  /** Whether the gateway's addresses are its nodes' (a NodePort Service). */
  static boolean usesNodes(SipGatewayResource g) {
    return "NodePort".equals(g.getSpec().serviceType);
  }

  private static List<NodeAddress> addressesOf(Node n) {
    return n == null || n.getStatus() == null ? null : n.getStatus().getAddresses();
  }

  @Override
  public UpdateControl<SipGatewayResource> reconcile(
      SipGatewayResource gw, Context<SipGatewayResource> context) {
    SealingSecrets.ensure(gw, context.getClient());
    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    GatewayResolution res = Resolved.of(gw, context);
    Service svc = ClusterServices.own(gw, context);
    List<String> nodes =
        svc != null && svc.getSpec() != null && "NodePort".equals(svc.getSpec().getType())
            ? nodeAddresses(context)
            : List.of();
    StatusModel.Observed seen =
        new StatusModel.Observed(
            context.getSecondaryResource(ConfigMap.class).orElse(null),
            context.getSecondaryResource(Deployment.class).orElse(null),
            svc,
            nodes);
    // TLS listeners' Secrets, read by name: a listener whose Secret is missing or invalid is
    // reported on its own (the pod mounts the Secret as optional and runs the other listeners).
    Map<String, String> certificates = CertificateRefs.problems(gw, context.getClient());
    SipGatewayStatus status =
        StatusModel.gateway(gw, res, seen, gw.getStatus(), now(), certificates);
    boolean waitingForPods = false;
    if (programmed(status)) {
      // Everything else is in place: Programmed still needs the replicas to run this
      // configuration, which only they can tell (asked only now, not at every reconciliation).
      seen = seen.withPods(RuntimeReports.ask(servingPods(gw, context)));
      status = StatusModel.gateway(gw, res, seen, gw.getStatus(), now(), certificates);
      // A reload is not an event the operator sees: look again shortly.
      waitingForPods = !programmed(status);
    }
    UpdateControl<SipGatewayResource> control;
    if (status.equals(gw.getStatus())) {
      control = UpdateControl.noUpdate();
    } else {
      gw.setStatus(status);
      control = UpdateControl.patchStatus(gw);
    }
    if (waitingForPods) {
      return control.rescheduleAfter(2, TimeUnit.SECONDS);
    }
    // Secrets are not watched: a gateway with a certificate problem is looked at again.
    return certificates.isEmpty() ? control : control.rescheduleAfter(1, TimeUnit.MINUTES);
  }

  /**
   * A write the API server refused (a namespace's quota, an admission webhook or policy) reaches
   * the gateway's status: Programmed=False naming the object and the server's reason; the
   * reconciliation is retried as usual.
   */
  @Override
  public ErrorStatusUpdateControl<SipGatewayResource> updateErrorStatus(
      SipGatewayResource gw, Context<SipGatewayResource> context, Exception e) {
    WriteFailures.Failure f = WriteFailures.describe(e);
    SipGatewayStatus status =
        StatusModel.writeFailed(gw, gw.getStatus(), f.reason(), f.message(), now());
    if (status.equals(gw.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    gw.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(gw);
  }

  private static boolean programmed(SipGatewayStatus s) {
    return s.conditions.stream()
        .anyMatch(c -> Conditions.PROGRAMMED.equals(c.type) && "True".equals(c.status));
  }

  /**
   * The nodes' external addresses, else their internal ones (for NodePort Services), from the
   * informer's cache, sorted so that the status does not change with the cache's order.
   */
  @SuppressWarnings("unchecked")
  private static List<String> nodeAddresses(Context<SipGatewayResource> context) {
    List<String> external = new ArrayList<>();
    List<String> internal = new ArrayList<>();
    InformerEventSource<Node, SipGatewayResource> cache =
        (InformerEventSource<Node, SipGatewayResource>)
            context.eventSourceRetriever().getEventSourceFor(Node.class, NODES);
    for (Node n :
        cache
            .list(x -> true)
            .sorted(java.util.Comparator.comparing(x -> x.getMetadata().getName()))
            .toList()) {
      if (n.getStatus() == null || n.getStatus().getAddresses() == null) {
        continue;
      }
      for (NodeAddress a : n.getStatus().getAddresses()) {
        if ("ExternalIP".equals(a.getType())) {
          external.add(a.getAddress());
        } else if ("InternalIP".equals(a.getType())) {
          internal.add(a.getAddress());
        }
      }
    }
    return external.isEmpty() ? internal : external;
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
