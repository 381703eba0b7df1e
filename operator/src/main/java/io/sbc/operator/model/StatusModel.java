package io.sbc.operator.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.sbc.api.ConfigMapPayload;
import io.sbc.api.SipDispatcher;
import io.sbc.api.SipGateway;
import io.sbc.api.SipRoute;
import io.sbc.api.status.Condition;
import io.sbc.api.status.Conditions;
import io.sbc.api.status.GatewayAddress;
import io.sbc.api.status.ListenerStatus;
import io.sbc.api.status.ParentReference;
import io.sbc.api.status.RouteParentStatus;
import io.sbc.api.status.SipDispatcherStatus;
import io.sbc.api.status.SipGatewayStatus;
import io.sbc.api.status.SipRouteStatus;
import io.sbc.operator.crd.SipDispatcherResource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.crd.SipRouteResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The statuses of the custom resources, Gateway API style, from what was resolved and observed. */
public final class StatusModel {
  private StatusModel() {}

  /** What the API server reported about a gateway's objects (null: not there). */
  public record Observed(
      ConfigMap configMap,
      Deployment deployment,
      Service service,
      List<String> nodeAddresses,
      List<PodConfig> pods) {
    /** Before the pods were asked (or when there is nothing to ask yet). */
    public Observed(
        ConfigMap configMap, Deployment deployment, Service service, List<String> nodeAddresses) {
      this(configMap, deployment, service, nodeAddresses, null);
    }

    /** The same observation with the pods' answers. */
    public Observed withPods(List<PodConfig> answers) {
      return new Observed(configMap, deployment, service, nodeAddresses, answers);
    }
  }

  /**
   * What a ready pod of the gateway reports running: the SHA-256 of its configuration text, or
   * (null) the problem that kept it from telling.
   */
  public record PodConfig(String pod, String sha256, String problem) {}

  /** The addresses the gateway is reachable at, and why there is none when empty. */
  public record Addresses(List<GatewayAddress> addresses, String missingReason) {}

  /**
   * The listeners' advertised addresses when the spec gives them; else from the Service: its load
   * balancer's ingress, the nodes' addresses (NodePort) or its cluster IP.
   */
  public static Addresses addresses(SipGatewayResource gw, Service svc, List<String> nodes) {
    Set<String> advertised = new LinkedHashSet<>();
    for (SipGateway.Listener l : gw.getSpec().listeners) {
      if (l != null && l.advertisedAddress != null && !l.advertisedAddress.isBlank()) {
        advertised.add(l.advertisedAddress);
      }
    }
    List<GatewayAddress> out = new ArrayList<>();
    if (!advertised.isEmpty()) {
      advertised.forEach(a -> out.add(address(a)));
      return new Addresses(out, null);
    }
    if (svc == null || svc.getSpec() == null) {
      return new Addresses(out, "Service " + Names.workload(gw) + " does not exist yet");
    }
    String type = Objects.requireNonNullElse(svc.getSpec().getType(), "ClusterIP");
    switch (type) {
      case "LoadBalancer" -> {
        if (svc.getStatus() != null
            && svc.getStatus().getLoadBalancer() != null
            && svc.getStatus().getLoadBalancer().getIngress() != null) {
          for (LoadBalancerIngress i : svc.getStatus().getLoadBalancer().getIngress()) {
            if (i.getIp() != null) {
              out.add(new GatewayAddress(GatewayAddress.IP_ADDRESS, i.getIp()));
            } else if (i.getHostname() != null) {
              out.add(new GatewayAddress(GatewayAddress.HOSTNAME, i.getHostname()));
            }
          }
        }
        return new Addresses(
            out,
            out.isEmpty()
                ? "the load balancer of Service " + Names.workload(gw) + " has no address yet"
                : null);
      }
      case "NodePort" -> {
        nodes.forEach(n -> out.add(address(n)));
        return new Addresses(out, out.isEmpty() ? "no node has an address" : null);
      }
      default -> {
        String ip = svc.getSpec().getClusterIP();
        if (ip != null && !ip.isBlank() && !"None".equals(ip)) {
          out.add(new GatewayAddress(GatewayAddress.IP_ADDRESS, ip));
        }
        return new Addresses(
            out, out.isEmpty() ? "Service " + Names.workload(gw) + " has no cluster IP yet" : null);
      }
    }
  }

  private static GatewayAddress address(String a) {
    boolean ip = a.contains(":") || a.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    return new GatewayAddress(ip ? GatewayAddress.IP_ADDRESS : GatewayAddress.HOSTNAME, a);
  }

  /** The status of a gateway. */
  public static SipGatewayStatus gateway(
      SipGatewayResource gw,
      GatewayResolution res,
      Observed seen,
      SipGatewayStatus previous,
      String now) {
    return gateway(gw, res, seen, previous, now, Map.of());
  }

  /**
   * The status of a gateway whose TLS listeners' certificateRefs were checked.
   *
   * @param certificateProblems by listener name: why its certificateRefs do not resolve
   */
  public static SipGatewayStatus gateway(
      SipGatewayResource gw,
      GatewayResolution res,
      Observed seen,
      SipGatewayStatus previous,
      String now,
      Map<String, String> certificateProblems) {
    Long gen = gw.getMetadata().getGeneration();
    SipGatewayStatus s = new SipGatewayStatus();
    s.observedGeneration = gen;
    Addresses addr = addresses(gw, seen.service(), seen.nodeAddresses());
    s.addresses = addr.addresses();
    if (seen.deployment() != null && seen.deployment().getStatus() != null) {
      s.replicas = seen.deployment().getStatus().getReplicas();
      s.readyReplicas = seen.deployment().getStatus().getReadyReplicas();
    }
    if (s.readyReplicas == null) {
      s.readyReplicas = 0;
    }
    s.attachedRoutes = res.servedRoutes().size();
    List<Condition> c = new ArrayList<>();
    c.add(
        res.accepted()
            ? new Condition(Conditions.ACCEPTED, true, Conditions.REASON_ACCEPTED, "Accepted", gen)
            : new Condition(
                Conditions.ACCEPTED,
                false,
                Conditions.REASON_INVALID,
                String.join("; ", res.gatewayErrors()),
                gen));
    c.add(resolvedRefs(res, gen));
    Condition programmed = programmed(gw, res, seen, addr, gen);
    c.add(programmed);
    s.conditions = merge(previous == null ? null : previous.conditions, c, now);
    s.listeners = listeners(gw, res, programmed, previous, gen, now, certificateProblems);
    return s;
  }

  /**
   * Per listener: the served routes attached to the whole gateway or to it by sectionName; Accepted
   * with the gateway, Programmed as the gateway's (one Deployment serves every listener).
   */
  private static List<ListenerStatus> listeners(
      SipGatewayResource gw,
      GatewayResolution res,
      Condition programmed,
      SipGatewayStatus previous,
      Long gen,
      String now,
      Map<String, String> certificateProblems) {
    List<ListenerStatus> out = new ArrayList<>();
    String gwName = gw.getMetadata().getName();
    for (SipGateway.Listener l : gw.getSpec().listeners) {
      if (l == null || l.name == null) {
        continue;
      }
      int attached = 0;
      for (SipRouteResource r : res.servedRoutes()) {
        boolean whole = false;
        boolean section = false;
        for (SipRoute.ParentRef p : r.getSpec().parentRefs) {
          if (p != null && gwName.equals(p.name)) {
            whole |= p.sectionName == null;
            section |= l.name.equals(p.sectionName);
          }
        }
        if (whole || section) {
          attached++;
        }
      }
      List<Condition> c = new ArrayList<>();
      c.add(
          res.accepted()
              ? new Condition(
                  Conditions.ACCEPTED, true, Conditions.REASON_ACCEPTED, "Accepted", gen)
              : new Condition(
                  Conditions.ACCEPTED,
                  false,
                  Conditions.REASON_INVALID,
                  "the gateway's configuration was refused",
                  gen));
      if (l.tls != null && !l.tls.certificateRefs.isEmpty()) {
        // Gateway API: a listener whose certificateRefs do not resolve is reported alone; the
        // pod runs without it (its Secret volume is optional) and the other listeners serve.
        String problem = certificateProblems.get(l.name);
        c.add(
            problem == null
                ? new Condition(
                    Conditions.RESOLVED_REFS,
                    true,
                    Conditions.REASON_RESOLVED_REFS,
                    "certificateRefs resolved",
                    gen)
                : new Condition(
                    Conditions.RESOLVED_REFS,
                    false,
                    Conditions.REASON_INVALID_CERTIFICATE_REF,
                    problem,
                    gen));
      }
      c.add(
          new Condition(
              Conditions.PROGRAMMED,
              "True".equals(programmed.status),
              programmed.reason,
              programmed.message,
              gen));
      List<Condition> before = null;
      if (previous != null && previous.listeners != null) {
        for (ListenerStatus p : previous.listeners) {
          if (l.name.equals(p.name)) {
            before = p.conditions;
          }
        }
      }
      out.add(new ListenerStatus(l.name, attached, merge(before, c, now)));
    }
    return out;
  }

  private static Condition resolvedRefs(GatewayResolution res, Long gen) {
    List<String> msgs = new ArrayList<>();
    String reason = null;
    for (Map.Entry<String, List<GatewayResolution.RefProblem>> e :
        res.allRefProblems().entrySet()) {
      for (GatewayResolution.RefProblem p : e.getValue()) {
        reason = reason == null ? p.reason() : reason;
        msgs.add("SipRoute " + e.getKey() + ": " + p.message());
      }
    }
    for (Map.Entry<String, List<String>> e : res.invalidRoutes().entrySet()) {
      reason = reason == null ? Conditions.REASON_INVALID : reason;
      msgs.add("SipRoute " + e.getKey() + " refused: " + String.join("; ", e.getValue()));
    }
    if (msgs.isEmpty()) {
      return new Condition(
          Conditions.RESOLVED_REFS,
          true,
          Conditions.REASON_RESOLVED_REFS,
          res.servedRoutes().size() + " SipRoute(s) attached, every reference resolved",
          gen);
    }
    return new Condition(Conditions.RESOLVED_REFS, false, reason, String.join("; ", msgs), gen);
  }

  private static Condition programmed(
      SipGatewayResource gw, GatewayResolution res, Observed seen, Addresses addr, Long gen) {
    String cm = Names.configMap(gw);
    if (!res.accepted()) {
      return new Condition(
          Conditions.PROGRAMMED,
          false,
          Conditions.REASON_INVALID,
          "the configuration was refused; ConfigMap " + cm + " keeps the last accepted one",
          gen);
    }
    if (!ConfigMapPayload.fits(res.configYaml())) {
      return new Condition(
          Conditions.PROGRAMMED,
          false,
          Conditions.REASON_INVALID,
          "the configuration does not fit a ConfigMap even compressed ("
              + res.configYaml().length()
              + " characters); ConfigMap "
              + cm
              + " keeps the last one that did",
          gen);
    }
    ConfigMap map = seen.configMap();
    boolean current =
        map != null
            && res.configYaml().equals(storedConfig(map))
            && map.getMetadata().getAnnotations() != null
            && String.valueOf(gen)
                .equals(
                    map.getMetadata().getAnnotations().get(WorkloadModel.GENERATION_ANNOTATION));
    if (!current) {
      return pending(gen, "ConfigMap " + cm + " does not hold this generation's configuration yet");
    }
    if (seen.deployment() == null) {
      return pending(gen, "Deployment " + Names.workload(gw) + " does not exist yet");
    }
    if (seen.service() == null) {
      return pending(gen, "Service " + Names.workload(gw) + " does not exist yet");
    }
    if (addr.addresses().isEmpty()) {
      return new Condition(
          Conditions.PROGRAMMED,
          false,
          Conditions.REASON_ADDRESS_NOT_ASSIGNED,
          addr.missingReason(),
          gen);
    }
    // Programmed means SIP is served: the pods of the current template are ready, as many as
    // wanted (the HPA's minimum while autoscaling owns the count).
    Deployment d = seen.deployment();
    int desired =
        d.getSpec() != null && d.getSpec().getReplicas() != null
            ? d.getSpec().getReplicas()
            : gw.getSpec().autoscaling != null && gw.getSpec().autoscaling.minReplicas != null
                ? gw.getSpec().autoscaling.minReplicas
                : 1;
    var st = d.getStatus();
    int ready = st == null || st.getReadyReplicas() == null ? 0 : st.getReadyReplicas();
    int updated = st == null || st.getUpdatedReplicas() == null ? 0 : st.getUpdatedReplicas();
    boolean observed =
        d.getMetadata().getGeneration() == null
            || (st != null
                && st.getObservedGeneration() != null
                && st.getObservedGeneration() >= d.getMetadata().getGeneration());
    if (desired > 0 && (!observed || ready < desired || updated < desired)) {
      return pending(
          gen,
          Math.min(ready, updated)
              + " of "
              + desired
              + " replica(s) of Deployment "
              + Names.workload(gw)
              + " ready with the current pod template");
    }
    // The replicas run what the ConfigMap holds only once each has applied it (a reload takes a
    // watch event; a runtime may also refuse it): each says which text it runs.
    if (seen.pods() != null) {
      String want = io.sbc.api.ConfigIdentity.sha256(res.configYaml());
      int running = 0;
      List<String> behind = new ArrayList<>();
      for (PodConfig p : seen.pods()) {
        if (want.equals(p.sha256())) {
          running++;
        } else if (p.sha256() != null) {
          behind.add(
              "pod "
                  + p.pod()
                  + " runs configuration "
                  + p.sha256().substring(0, Math.min(12, p.sha256().length()))
                  + ", not "
                  + want.substring(0, 12));
        } else {
          behind.add("pod " + p.pod() + ": " + p.problem());
        }
      }
      if (running < desired || !behind.isEmpty()) {
        return pending(
            gen,
            running
                + " of "
                + desired
                + " replica(s) run the current configuration"
                + (behind.isEmpty() ? "" : " (" + String.join("; ", behind) + ")"));
      }
    }
    return new Condition(
        Conditions.PROGRAMMED,
        true,
        Conditions.REASON_PROGRAMMED,
        "configuration in ConfigMap "
            + cm
            + ", "
            + ready
            + " replica(s) ready"
            + (seen.pods() != null ? " and running it" : "")
            + ", Service with an address",
        gen);
  }

  /**
   * The gateway's last status with Programmed (the gateway's and its listeners') False for this
   * reason: writing its objects failed (a quota, an admission refusal), which the message names.
   */
  public static SipGatewayStatus writeFailed(
      SipGatewayResource gw, SipGatewayStatus previous, String reason, String message, String now) {
    Long gen = gw.getMetadata().getGeneration();
    SipGatewayStatus s = new SipGatewayStatus();
    if (previous != null) {
      s.addresses = previous.addresses;
      s.replicas = previous.replicas;
      s.readyReplicas = previous.readyReplicas;
      s.attachedRoutes = previous.attachedRoutes;
    }
    s.observedGeneration = gen;
    Condition failed = new Condition(Conditions.PROGRAMMED, false, reason, message, gen);
    List<Condition> next = new ArrayList<>();
    if (previous != null && previous.conditions != null) {
      for (Condition c : previous.conditions) {
        if (!Conditions.PROGRAMMED.equals(c.type)) {
          next.add(copy(c));
        }
      }
    }
    next.add(failed);
    s.conditions = merge(previous == null ? null : previous.conditions, next, now);
    if (previous != null && previous.listeners != null) {
      s.listeners = new ArrayList<>();
      for (ListenerStatus l : previous.listeners) {
        List<Condition> lc = new ArrayList<>();
        if (l.conditions != null) {
          l.conditions.stream()
              .filter(c -> !Conditions.PROGRAMMED.equals(c.type))
              .forEach(c -> lc.add(copy(c)));
        }
        lc.add(new Condition(Conditions.PROGRAMMED, false, reason, message, gen));
        s.listeners.add(
            new ListenerStatus(
                l.name,
                l.attachedRoutes == null ? 0 : l.attachedRoutes,
                merge(l.conditions, lc, now)));
      }
    }
    return s;
  }

  private static Condition copy(Condition c) {
    Condition n =
        new Condition(c.type, "True".equals(c.status), c.reason, c.message, c.observedGeneration);
    n.status = c.status;
    n.lastTransitionTime = c.lastTransitionTime;
    return n;
  }

  /** The configuration a ConfigMap holds (plain or compressed), or null. */
  public static String storedConfig(ConfigMap map) {
    try {
      return ConfigMapPayload.read(map.getData(), map.getBinaryData());
    } catch (io.sbc.api.ConfigException e) {
      return null;
    }
  }

  private static Condition pending(Long gen, String message) {
    return new Condition(Conditions.PROGRAMMED, false, Conditions.REASON_PENDING, message, gen);
  }

  /**
   * The status of a route: per parentRef, Accepted (the gateway exists and serves the route) and
   * ResolvedRefs (every backendRef resolved).
   *
   * @param gateways the gateways there are (any namespace)
   * @param dispatchers the dispatchers there are (any namespace)
   */
  public static SipRouteStatus route(
      SipRouteResource route,
      Collection<SipGatewayResource> gateways,
      Collection<SipRouteResource> routes,
      Collection<SipDispatcherResource> dispatchers,
      SipRouteStatus previous,
      String now) {
    Long gen = route.getMetadata().getGeneration();
    String ns = route.getMetadata().getNamespace();
    SipRouteStatus s = new SipRouteStatus();
    s.observedGeneration = gen;
    Set<ParentReference> seen = new LinkedHashSet<>();
    for (SipRoute.ParentRef ref : route.getSpec().parentRefs) {
      if (ref == null || ref.name == null) {
        continue;
      }
      ParentReference pr =
          new ParentReference(ref.name, ref.namespace == null ? ns : ref.namespace);
      if (!seen.add(pr)) {
        continue;
      }
      SipGatewayResource gw =
          gateways.stream()
              .filter(
                  g ->
                      pr.name.equals(g.getMetadata().getName())
                          && pr.namespace.equals(g.getMetadata().getNamespace()))
              .findFirst()
              .orElse(null);
      List<Condition> c = new ArrayList<>();
      GatewayResolution res;
      if (gw == null) {
        c.add(
            new Condition(
                Conditions.ACCEPTED,
                false,
                Conditions.REASON_NO_MATCHING_PARENT,
                "SipGateway " + pr.namespace + "/" + pr.name + " not found",
                gen));
        res = GatewayResolution.resolve(placeholder(pr), List.of(route), dispatchers);
      } else if (!pr.namespace.equals(ns)) {
        c.add(
            new Condition(
                Conditions.ACCEPTED,
                false,
                Conditions.REASON_NO_MATCHING_PARENT,
                "SipGateway "
                    + pr.namespace
                    + "/"
                    + pr.name
                    + " is in another namespace (not supported)",
                gen));
        res = GatewayResolution.resolve(placeholder(pr), List.of(route), dispatchers);
      } else {
        res = GatewayResolution.resolve(gw, routes, dispatchers);
        String name = route.getMetadata().getName();
        if (!res.accepted()) {
          c.add(
              new Condition(
                  Conditions.ACCEPTED,
                  false,
                  Conditions.REASON_PENDING,
                  "SipGateway " + pr.namespace + "/" + pr.name + " is not accepted",
                  gen));
        } else if (res.routeErrors(name) != null) {
          String why = String.join("; ", res.routeErrors(name));
          c.add(
              new Condition(
                  Conditions.ACCEPTED,
                  false,
                  why.contains(".sectionName: ")
                      ? Conditions.REASON_NO_MATCHING_LISTENER_NAME
                      : Conditions.REASON_UNSUPPORTED_VALUE,
                  why,
                  gen));
        } else if (res.conflict(name) != null && res.conflict(name).whole()) {
          // Gateway API: the older route keeps what both ask for; this one has nothing left.
          c.add(
              new Condition(
                  Conditions.ACCEPTED,
                  false,
                  Conditions.REASON_CONFLICTED,
                  String.join("; ", res.conflict(name).messages()),
                  gen));
        } else {
          c.add(
              new Condition(
                  Conditions.ACCEPTED, true, Conditions.REASON_ACCEPTED, "Accepted", gen));
          if (res.conflict(name) != null) {
            c.add(
                new Condition(
                    Conditions.PARTIALLY_INVALID,
                    true,
                    Conditions.REASON_CONFLICTED,
                    String.join("; ", res.conflict(name).messages()),
                    gen));
          }
        }
      }
      String name = route.getMetadata().getName();
      boolean served =
          gw != null
              && res.accepted()
              && res.routeErrors(name) == null
              && (res.conflict(name) == null || !res.conflict(name).whole());
      List<GatewayResolution.RefProblem> problems =
          served
              ? res.refProblems(name)
              : GatewayResolution.resolve(placeholder(pr), List.of(route), dispatchers)
                  .refProblems(name);
      c.add(
          problems.isEmpty()
              ? new Condition(
                  Conditions.RESOLVED_REFS,
                  true,
                  Conditions.REASON_RESOLVED_REFS,
                  "every backendRef resolved",
                  gen)
              : new Condition(
                  Conditions.RESOLVED_REFS,
                  false,
                  problems.get(0).reason(),
                  String.join(
                      "; ", problems.stream().map(GatewayResolution.RefProblem::message).toList()),
                  gen));
      RouteParentStatus ps = new RouteParentStatus();
      ps.parentRef = pr;
      ps.controllerName = RouteParentStatus.CONTROLLER_NAME;
      RouteParentStatus old =
          previous == null || previous.parents == null
              ? null
              : previous.parents.stream()
                  .filter(p -> pr.equals(p.parentRef))
                  .findFirst()
                  .orElse(null);
      ps.conditions = merge(old == null ? null : old.conditions, c, now);
      s.parents.add(ps);
    }
    return s;
  }

  /** A gateway that is not there, to resolve a route's references against. */
  private static SipGatewayResource placeholder(ParentReference pr) {
    SipGatewayResource gw = new SipGatewayResource();
    gw.getMetadata().setName(pr.name);
    gw.getMetadata().setNamespace(pr.namespace);
    return gw;
  }

  /**
   * The status of a dispatcher: its destinations (serviceRefs resolved through the directory), the
   * routes naming it, ResolvedRefs (every Service and Service port found) and Ready (valid, with at
   * least one destination).
   */
  public static SipDispatcherStatus dispatcher(
      SipDispatcherResource d,
      Collection<SipRouteResource> routes,
      ServiceDirectory services,
      SipDispatcherStatus previous,
      String now) {
    Long gen = d.getMetadata().getGeneration();
    SipDispatcherStatus s = new SipDispatcherStatus();
    s.observedGeneration = gen;
    SipDispatcher.Spec spec = d.getSpec();
    s.referencingRoutes = (int) routes.stream().filter(r -> references(r, d)).count();
    List<String> errors = GatewayResolution.dispatcherErrors(d);
    ServiceEndpoints.Expansion x =
        ServiceEndpoints.expand(d.getMetadata().getNamespace(), spec.destinations, services);
    List<ServiceEndpoints.Outcome> problems = x.problems();
    List<ServiceEndpoints.Outcome> notFound =
        problems.stream()
            .filter(o -> Conditions.REASON_BACKEND_NOT_FOUND.equals(o.reason()))
            .toList();
    Condition refs =
        notFound.isEmpty()
            ? new Condition(
                Conditions.RESOLVED_REFS,
                true,
                Conditions.REASON_RESOLVED_REFS,
                x.outcomes().isEmpty()
                    ? "no serviceRef"
                    : "every serviceRef names a Service and a port of it",
                gen)
            : new Condition(
                Conditions.RESOLVED_REFS,
                false,
                Conditions.REASON_BACKEND_NOT_FOUND,
                messages(notFound),
                gen);
    Condition ready;
    if (!errors.isEmpty()) {
      s.destinations = spec.destinations == null ? 0 : spec.destinations.size();
      ready =
          new Condition(
              Conditions.READY, false, Conditions.REASON_INVALID, String.join("; ", errors), gen);
    } else if (x.destinations().isEmpty()) {
      s.destinations = 0;
      ready =
          new Condition(Conditions.READY, false, problems.get(0).reason(), messages(problems), gen);
    } else {
      s.destinations = x.destinations().size();
      String what =
          x.outcomes().isEmpty()
              ? s.destinations + " static destination(s)"
              : s.destinations
                  + " destination(s): "
                  + x.staticCount()
                  + " static, "
                  + String.join(
                      ", ",
                      x.outcomes().stream()
                          .filter(ServiceEndpoints.Outcome::resolved)
                          .map(o -> o.uris().size() + " from Service " + o.service())
                          .toList());
      ready =
          new Condition(
              Conditions.READY,
              true,
              Conditions.REASON_READY,
              problems.isEmpty() ? what : what + "; " + messages(problems),
              gen);
    }
    s.conditions = merge(previous == null ? null : previous.conditions, List.of(ready, refs), now);
    return s;
  }

  private static String messages(List<ServiceEndpoints.Outcome> outcomes) {
    return String.join("; ", outcomes.stream().map(ServiceEndpoints.Outcome::message).toList());
  }

  /** Whether a route of the dispatcher's namespace names it in a backendRef. */
  public static boolean references(SipRouteResource r, SipDispatcherResource d) {
    if (!Objects.equals(r.getMetadata().getNamespace(), d.getMetadata().getNamespace())
        || r.getSpec() == null
        || r.getSpec().rules == null) {
      return false;
    }
    for (SipRoute.Rule rule : r.getSpec().rules) {
      if (rule == null || rule.backendRefs == null) {
        continue;
      }
      for (SipRoute.BackendRef b : rule.backendRefs) {
        if (b != null
            && SipDispatcher.KIND.equals(b.kind)
            && d.getMetadata().getName().equals(b.name)
            && (b.namespace == null || b.namespace.equals(d.getMetadata().getNamespace()))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The new conditions, each keeping the previous lastTransitionTime when its status did not change
   * (so that an unchanged resource gets an equal status, and nothing is written).
   */
  public static List<Condition> merge(List<Condition> previous, List<Condition> next, String now) {
    List<Condition> out = new ArrayList<>();
    for (Condition n : next) {
      Condition old =
          previous == null
              ? null
              : previous.stream().filter(p -> n.type.equals(p.type)).findFirst().orElse(null);
      n.lastTransitionTime =
          old != null && Objects.equals(old.status, n.status) && old.lastTransitionTime != null
              ? old.lastTransitionTime
              : now;
      out.add(n);
    }
    return out;
  }
}
