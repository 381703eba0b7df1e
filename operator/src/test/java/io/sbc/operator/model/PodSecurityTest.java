package io.sbc.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sbc.operator.crd.SipGatewayResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pods the operator renders pass the Pod Security Standards' "restricted" profile (the rules
 * the API server's admission enforces when a namespace is labelled
 * pod-security.kubernetes.io/enforce=restricted), with read-only root filesystems on top.
 */
class PodSecurityTest {
  static final RuntimeSettings SETTINGS =
      new RuntimeSettings("sbc-runtime:test", "IfNotPresent", 5, "rtpengine:test");

  static SipGatewayResource load(String resource) {
    SipGatewayResource gw =
        Serialization.unmarshal(
            PodSecurityTest.class.getResourceAsStream(resource), SipGatewayResource.class);
    gw.getMetadata().setNamespace("sbc-test");
    return gw;
  }

  /** Every rule of the restricted profile (v1.25 and later) this pod breaks, one line each. */
  static List<String> restrictedViolations(PodSpec pod) {
    List<String> v = new ArrayList<>();
    if (Boolean.TRUE.equals(pod.getHostNetwork())
        || Boolean.TRUE.equals(pod.getHostPID())
        || Boolean.TRUE.equals(pod.getHostIPC())) {
      v.add("host namespaces");
    }
    for (Volume vol : pod.getVolumes()) {
      if (vol.getHostPath() != null) {
        v.add("hostPath volume " + vol.getName());
      }
    }
    PodSecurityContext psc = pod.getSecurityContext();
    boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
    String podSeccomp =
        psc == null || psc.getSeccompProfile() == null ? null : psc.getSeccompProfile().getType();
    if (psc != null && psc.getRunAsUser() != null && psc.getRunAsUser() == 0) {
      v.add("pod runs as user 0");
    }
    List<Container> all = new ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      all.addAll(pod.getInitContainers());
    }
    for (Container c : all) {
      SecurityContext sc = c.getSecurityContext();
      String n = c.getName();
      if (sc == null) {
        v.add(n + ": no securityContext");
        continue;
      }
      if (Boolean.TRUE.equals(sc.getPrivileged())) {
        v.add(n + ": privileged");
      }
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        v.add(n + ": allowPrivilegeEscalation must be false");
      }
      if (!podNonRoot && !Boolean.TRUE.equals(sc.getRunAsNonRoot())) {
        v.add(n + ": runAsNonRoot must be true");
      }
      if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
        v.add(n + ": runs as user 0");
      }
      String seccomp =
          sc.getSeccompProfile() == null ? podSeccomp : sc.getSeccompProfile().getType();
      if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
        v.add(n + ": seccompProfile must be RuntimeDefault or Localhost (was " + seccomp + ")");
      }
      if (sc.getCapabilities() == null
          || sc.getCapabilities().getDrop() == null
          || !sc.getCapabilities().getDrop().contains("ALL")) {
        v.add(n + ": capabilities must drop ALL");
      }
      if (sc.getCapabilities() != null && sc.getCapabilities().getAdd() != null) {
        for (String cap : sc.getCapabilities().getAdd()) {
          if (!Set.of("NET_BIND_SERVICE").contains(cap)) {
            v.add(n + ": adds capability " + cap);
          }
        }
      }
      for (ContainerPort p : c.getPorts()) {
        if (p.getHostPort() != null && p.getHostPort() != 0) {
          v.add(n + ": hostPort " + p.getHostPort());
        }
      }
      // Not in the profile, asked of this product: nothing written outside its volumes.
      if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
        v.add(n + ": readOnlyRootFilesystem must be true");
      }
    }
    return v;
  }

  @Test
  void theGatewaysPodsAreRestricted() {
    for (String cr : List.of("/cr/edge.yaml", "/cr/media.yaml")) {
      Deployment d = WorkloadModel.deployment(load(cr), SETTINGS);
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      assertEquals(List.of(), restrictedViolations(pod), cr);
      if (cr.contains("media")) {
        assertEquals(2, pod.getContainers().size(), "the RTPengine sidecar is checked too");
      }
    }
  }

  @Test
  void theCheckSeesWhatTheProfileForbids() {
    Deployment d = WorkloadModel.deployment(load("/cr/edge.yaml"), SETTINGS);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    pod.getSecurityContext().setRunAsNonRoot(null);
    pod.getSecurityContext().setSeccompProfile(null);
    pod.getContainers().get(0).getSecurityContext().setAllowPrivilegeEscalation(null);
    pod.setHostNetwork(true);
    List<String> v = restrictedViolations(pod);
    assertEquals(4, v.size(), String.join("\n", v));
    assertNotEquals(List.of(), v);
    assertTrue(v.contains("host namespaces"));
  }
}
