package io.sbc.operator.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.sbc.api.IntOrName;
import io.sbc.api.SipDispatcher;
import io.sbc.api.status.Conditions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves a SipDispatcher's serviceRef destinations into SIP URIs, one per ready endpoint address
 * of the Service's EndpointSlices: {@code sip:IP:PORT} (IPv6 in brackets, {@code ;transport=tcp}
 * for TCP), PORT being the endpoint port that serves the named Service port, weight and priority
 * copied. URI destinations stay as they are; a URI listed twice is kept once.
 */
public final class ServiceEndpoints {
  private ServiceEndpoints() {}

  private static final ObjectMapper COPY = new ObjectMapper();

  /**
   * What one serviceRef resolved to.
   *
   * @param index the destination's index in the spec
   * @param service namespace/name
   * @param reason null when it resolved to at least one URI; {@link
   *     Conditions#REASON_BACKEND_NOT_FOUND} (no such Service or Service port) or {@link
   *     Conditions#REASON_NO_READY_ENDPOINTS}
   * @param message what happened, naming the Service
   * @param uris the URIs it became
   */
  public record Outcome(
      int index, String service, String reason, String message, List<String> uris) {
    public boolean resolved() {
      return reason == null;
    }
  }

  /**
   * The destinations with the serviceRefs replaced, how each serviceRef fared, and how many
   * destinations were written as URIs.
   */
  public record Expansion(
      List<SipDispatcher.Destination> destinations, List<Outcome> outcomes, int staticCount) {
    /** The problems of the serviceRefs that did not resolve. */
    public List<Outcome> problems() {
      return outcomes.stream().filter(o -> !o.resolved()).toList();
    }
  }

  /** Whether any destination of the spec is a serviceRef. */
  public static boolean hasServiceRefs(SipDispatcher.Spec spec) {
    return spec != null
        && spec.destinations != null
        && spec.destinations.stream().anyMatch(d -> d != null && d.serviceRef != null);
  }

  /**
   * Expands the destinations of a dispatcher of the namespace (the default namespace of its
   * serviceRefs); without a directory (null), serviceRefs are kept as written.
   */
  public static Expansion expand(
      String namespace, List<SipDispatcher.Destination> destinations, ServiceDirectory dir) {
    if (dir == null) {
      List<SipDispatcher.Destination> all =
          destinations == null ? List.of() : new ArrayList<>(destinations);
      return new Expansion(all, List.of(), all.size());
    }
    List<SipDispatcher.Destination> out = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    int statics = 0;
    for (int i = 0; destinations != null && i < destinations.size(); i++) {
      SipDispatcher.Destination d = destinations.get(i);
      if (d == null || d.serviceRef == null) {
        if (d == null || d.uri == null || seen.add(d.uri)) {
          out.add(d == null ? null : COPY.convertValue(d, SipDispatcher.Destination.class));
          statics++;
        }
        continue;
      }
      Outcome o = resolve(i, namespace, d.serviceRef, dir);
      outcomes.add(o);
      for (String uri : o.uris()) {
        if (seen.add(uri)) {
          SipDispatcher.Destination e = new SipDispatcher.Destination();
          e.uri = uri;
          e.weight = d.weight;
          e.maxCalls = d.maxCalls;
          e.priority = d.priority;
          out.add(e);
        }
      }
    }
    return new Expansion(out, outcomes, statics);
  }

  static Outcome resolve(
      int index, String namespace, SipDispatcher.ServiceRef ref, ServiceDirectory dir) {
    String ns = ref.namespace != null ? ref.namespace : namespace;
    String id = ns + "/" + ref.name;
    String transport = Objects.requireNonNullElse(ref.transport, "UDP");
    Service svc = ref.name == null ? null : dir.service(ns, ref.name);
    if (svc == null) {
      return new Outcome(
          index,
          id,
          Conditions.REASON_BACKEND_NOT_FOUND,
          "Service " + id + " not found",
          List.of());
    }
    ServicePort sp = servicePort(svc, ref.port, transport);
    if (sp == null) {
      return new Outcome(
          index,
          id,
          Conditions.REASON_BACKEND_NOT_FOUND,
          "Service "
              + id
              + " has no "
              + transport
              + " port "
              + ref.port
              + " (it has "
              + describePorts(svc)
              + ")",
          List.of());
    }
    TreeSet<String> uris = new TreeSet<>();
    List<EndpointSlice> slices = new ArrayList<>(dir.endpointSlices(ns, ref.name));
    slices.sort(Comparator.comparing(s -> s.getMetadata().getName()));
    for (EndpointSlice slice : slices) {
      if (!"IPv4".equals(slice.getAddressType()) && !"IPv6".equals(slice.getAddressType())) {
        continue; // FQDN slices: not resolved here
      }
      Integer port = endpointPort(slice, sp);
      if (port == null || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint e : slice.getEndpoints()) {
        if (!ready(e) || e.getAddresses() == null) {
          continue;
        }
        for (String a : e.getAddresses()) {
          uris.add(
              "sip:"
                  + (a.indexOf(':') >= 0 ? "[" + a + "]" : a)
                  + ":"
                  + port
                  + ("TCP".equals(transport) ? ";transport=tcp" : ""));
        }
      }
    }
    if (uris.isEmpty()) {
      return new Outcome(
          index,
          id,
          Conditions.REASON_NO_READY_ENDPOINTS,
          "Service " + id + " has no ready endpoints (port " + ref.port + "/" + transport + ")",
          List.of());
    }
    return new Outcome(
        index,
        id,
        null,
        "Service " + id + ": " + uris.size() + " ready endpoint(s)",
        List.copyOf(uris));
  }

  /** The Service port named by number or name, of the transport's protocol. */
  private static ServicePort servicePort(Service svc, IntOrName port, String transport) {
    if (svc.getSpec() == null || svc.getSpec().getPorts() == null || port == null) {
      return null;
    }
    for (ServicePort p : svc.getSpec().getPorts()) {
      String proto = Objects.requireNonNullElse(p.getProtocol(), "TCP");
      boolean named =
          port.number() != null
              ? port.number().equals(p.getPort())
              : port.name().equals(p.getName());
      if (named && proto.equals(transport)) {
        return p;
      }
    }
    return null;
  }

  private static String describePorts(Service svc) {
    List<String> ports = new ArrayList<>();
    if (svc.getSpec() != null && svc.getSpec().getPorts() != null) {
      for (ServicePort p : svc.getSpec().getPorts()) {
        ports.add(
            (p.getName() == null || p.getName().isEmpty() ? "" : p.getName() + " ")
                + p.getPort()
                + "/"
                + Objects.requireNonNullElse(p.getProtocol(), "TCP"));
      }
    }
    return ports.isEmpty() ? "no ports" : String.join(", ", ports);
  }

  /** The slice's port serving the Service port (same name, same protocol), or null. */
  private static Integer endpointPort(EndpointSlice slice, ServicePort sp) {
    if (slice.getPorts() == null) {
      return null;
    }
    String name = Objects.requireNonNullElse(sp.getName(), "");
    String proto = Objects.requireNonNullElse(sp.getProtocol(), "TCP");
    for (EndpointPort p : slice.getPorts()) {
      if (name.equals(Objects.requireNonNullElse(p.getName(), ""))
          && proto.equals(Objects.requireNonNullElse(p.getProtocol(), "TCP"))
          && p.getPort() != null) {
        return p.getPort();
      }
    }
    return null;
  }

  /** Ready, or of unknown readiness (which consumers are to take as ready). */
  private static boolean ready(Endpoint e) {
    return e.getConditions() == null
        || e.getConditions().getReady() == null
        || e.getConditions().getReady();
  }
}
