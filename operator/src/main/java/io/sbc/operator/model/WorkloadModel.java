package io.sbc.operator.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.sbc.api.CallLimitShare;
import io.sbc.api.ConfigMapPayload;
import io.sbc.api.Defaults;
import io.sbc.api.SipGateway;
import io.sbc.operator.crd.SipGatewayResource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/** The Kubernetes objects that run a gateway's SBC pods, built from the gateway alone. */
public final class WorkloadModel {
  /** The user and group the pods run as (not root: Pod Security "restricted"). */
  static final long RUN_AS_USER = 10001L;

  /** An emptyDir for /tmp: the containers' root filesystems are read-only. */
  static final String TMP_VOLUME = "tmp";

  private WorkloadModel() {}

  /** The environment variables through which sbc-runtime finds its ConfigMap. */
  public static final String ENV_CONFIGMAP_NAME = "SBC_CONFIGMAP_NAME";

  public static final String ENV_CONFIGMAP_NAMESPACE = "SBC_CONFIGMAP_NAMESPACE";
  public static final String MANAGEMENT_PORT_NAME = "management";
  public static final int MANAGEMENT_PORT = 8080;
  public static final String CONTAINER = "sbc";

  /** The media sidecar (spec.media.mode Sidecar): RTPengine in userspace. */
  public static final String RTPENGINE_CONTAINER = "rtpengine";

  /** Where the SBC finds RTPengine's ng control protocol (the sidecar listens on loopback). */
  public static final String ENV_RTPENGINE_NG = "SBC_RTPENGINE_NG";

  public static final String RTPENGINE_NG = "127.0.0.1:2223";

  /**
   * Pod annotation: a hash of the settings the runtime applies only when it starts (listeners,
   * limits, timers, proxy mode, served domains), so that changing one rolls the pods; routes,
   * dispatchers, hiding and the rest reload in place and leave it alone.
   */
  public static final String RESTART_HASH_ANNOTATION = "sbc.io/restart-config";

  /** The hash of the settings that need a restart (SHA-256 of their JSON, 16 hex digits). */
  static String restartHash(SipGateway.Spec spec) {
    Map<String, Object> parts = new LinkedHashMap<>();
    // A listener's allow and deny networks apply on reload: they leave the hash alone.
    List<Map<String, Object>> listeners = new ArrayList<>();
    for (SipGateway.Listener l : spec.listeners) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m =
          io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
              io.fabric8.kubernetes.client.utils.Serialization.asJson(l), LinkedHashMap.class);
      m.remove("allow");
      m.remove("deny");
      listeners.add(m);
    }
    parts.put("listeners", listeners);
    parts.put("limits", spec.limits);
    parts.put("timers", spec.timers);
    parts.put("proxy", spec.proxy);
    parts.put("domains", spec.domains); // "this SBC" (Myself) is built at start
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(
                  io.fabric8.kubernetes.client.utils.Serialization.asJson(parts)
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  /** Pod annotation: the UDP port range RTPengine relays media on, "min-max". */
  public static final String RTP_PORT_RANGE_ANNOTATION = "sbc.io/rtp-port-range";

  /** Annotation on the ConfigMap: the gateway generation its configuration was made from. */
  public static final String GENERATION_ANNOTATION = "sbc.io/gateway-generation";

  /** The keys of the sealing Secret: the current secret, and the previous one while rotating. */
  public static final String SEALING_SECRET_KEY = "secret";

  public static final String SEALING_PREVIOUS_KEY = "previous";

  /** Bytes of random in a sealing secret the operator makes (the runtime needs at least 16). */
  public static final int SEALING_SECRET_BYTES = 32;

  /** Where the SBC container finds the sealing Secret's keys as files. */
  public static final String SEALING_MOUNT_PATH = "/var/run/sbc/sealing";

  public static final String SEALING_VOLUME = "sealing";

  private static ObjectMeta meta(SipGatewayResource gw, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(gw.getMetadata().getNamespace())
        .withLabels(Names.labels(gw))
        .build();
  }

  /** The ConfigMap holding the resolved configuration under {@code config.yaml}. */
  public static ConfigMap configMap(SipGatewayResource gw, String configYaml) {
    return configMap(gw, configYaml, null);
  }

  /**
   * The ConfigMap holding the resolved configuration under {@code config.yaml}, and, when the
   * gateway has call limits, each replica's share of them under {@value CallLimitShare#KEY}.
   */
  public static ConfigMap configMap(
      SipGatewayResource gw, String configYaml, CallLimitShare share) {
    ObjectMeta m = meta(gw, Names.configMap(gw));
    m.setAnnotations(
        Map.of(GENERATION_ANNOTATION, String.valueOf(gw.getMetadata().getGeneration())));
    Map<String, String> data = new java.util.TreeMap<>();
    if (share != null) {
      data.put(CallLimitShare.KEY, share.toText());
    }
    // Large configurations (thousands of routes) go compressed: a ConfigMap holds 1 MiB.
    if (ConfigMapPayload.compressed(configYaml)) {
      return new ConfigMapBuilder()
          .withMetadata(m)
          .withData(data.isEmpty() ? null : data)
          .withBinaryData(
              Map.of(ConfigMapPayload.GZIP_KEY, ConfigMapPayload.gzipBase64(configYaml)))
          .build();
    }
    data.put(GatewayResolution.CONFIG_KEY, configYaml);
    return new ConfigMapBuilder().withMetadata(m).withData(data).build();
  }

  /**
   * Each replica's share of the gateway's call limits, or null when it has none. The replicas
   * counted are those wanted now: with an autoscaler, the Deployment's replicas (which the
   * autoscaler sets; its minimum before the Deployment exists), else spec.replicas. A scale-up
   * lowers every replica's share once the ConfigMap reaches the pods (a minute at most, usually
   * seconds), so for that while the gateway may admit up to the old shares of the old replicas plus
   * the new ones' shares.
   */
  public static CallLimitShare callLimitShare(SipGatewayResource gw, Deployment seen) {
    SipGateway.Spec spec = gw.getSpec();
    if (spec.callLimits == null) {
      return null;
    }
    Integer replicas = spec.replicas;
    if (spec.autoscaling != null) {
      replicas =
          seen != null && seen.getSpec() != null && seen.getSpec().getReplicas() != null
              ? seen.getSpec().getReplicas()
              : spec.autoscaling.minReplicas;
    }
    return CallLimitShare.of(spec.callLimits, replicas == null ? 1 : replicas);
  }

  /** One (protocol, port) the listeners serve, in port order, UDP before TCP. */
  record PortKey(int port, String protocol) {
    String name() {
      return protocol.toLowerCase() + "-" + port; // at most 9 characters (IANA_SVC_NAME: 15)
    }
  }

  static List<PortKey> ports(SipGatewayResource gw) {
    TreeMap<String, PortKey> keys = new TreeMap<>();
    for (SipGateway.Listener l : gw.getSpec().listeners) {
      if (l == null || l.port == null || l.protocol == null) {
        continue;
      }
      String proto = l.protocol.endsWith("UDP") ? "UDP" : "TCP";
      keys.put(
          String.format("%05d-%s", l.port, "UDP".equals(proto) ? "0" : "1"),
          new PortKey(l.port, proto));
    }
    return new ArrayList<>(keys.values());
  }

  /** The Deployment of sbc-runtime pods serving the gateway. */
  public static Deployment deployment(SipGatewayResource gw, RuntimeSettings settings) {
    return deployment(gw, settings, (String) null);
  }

  /**
   * The gateway's Deployment.
   *
   * @param loadBalancerAddress the address of the Service's load balancer once it has one (null
   *     before, and for other Service types): wildcard listeners advertise it, so that SIP peers
   *     outside the cluster send their requests and responses to an address they can reach
   */
  public static Deployment deployment(
      SipGatewayResource gw, RuntimeSettings settings, String loadBalancerAddress) {
    return deployment(
        gw,
        settings,
        loadBalancerAddress != null
            ? new Advertised(loadBalancerAddress, null, Map.of())
            : new Advertised(null, POD_IP_FIELD, Map.of()));
  }

  /**
   * The gateway's Deployment.
   *
   * @param advertised what wildcard listeners advertise (see {@link #advertised})
   */
  public static Deployment deployment(
      SipGatewayResource gw, RuntimeSettings settings, Advertised advertised) {
    SipGateway.Spec spec = gw.getSpec();
    List<EnvVar> advertisedEnv = new ArrayList<>();
    advertisedEnv.add(advertisedAddress(advertised));
    if (!advertised.ports().isEmpty()) {
      StringBuilder v = new StringBuilder();
      new TreeMap<>(advertised.ports())
          .forEach((l, p) -> v.append(v.isEmpty() ? "" : ",").append(l).append('=').append(p));
      advertisedEnv.add(
          new EnvVarBuilder()
              .withName(Defaults.ADVERTISED_PORTS_ENV)
              .withValue(v.toString())
              .build());
    }
    List<ContainerPort> ports = new ArrayList<>();
    for (PortKey k : ports(gw)) {
      ports.add(
          new ContainerPortBuilder()
              .withName(k.name())
              .withContainerPort(k.port())
              .withProtocol(k.protocol())
              .build());
    }
    ports.add(
        new ContainerPortBuilder()
            .withName(MANAGEMENT_PORT_NAME)
            .withContainerPort(MANAGEMENT_PORT)
            .withProtocol("TCP")
            .build());
    Map<String, String> selector = Names.selector(gw);
    Deployment d =
        new DeploymentBuilder()
            .withMetadata(meta(gw, Names.workload(gw)))
            .withNewSpec()
            .withReplicas(spec.autoscaling == null ? spec.replicas : null)
            .withNewSelector()
            .withMatchLabels(selector)
            .endSelector()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(0))
            .withMaxSurge(new IntOrString(1))
            .endRollingUpdate()
            .endStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Names.labels(gw))
            // What the runtime applies only at start: a change rolls the pods.
            .withAnnotations(Map.of(RESTART_HASH_ANNOTATION, restartHash(spec)))
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(Names.workload(gw))
            // Pod Security "restricted": no root, the runtime's default seccomp profile.
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(RUN_AS_USER)
            .withRunAsGroup(RUN_AS_USER)
            .withFsGroup(RUN_AS_USER)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            // The root filesystem is read-only: the JVM's temporary files go here.
            .addNewVolume()
            .withName(TMP_VOLUME)
            .withNewEmptyDir()
            .withSizeLimit(new Quantity("64Mi"))
            .endEmptyDir()
            .endVolume()
            .withTerminationGracePeriodSeconds(spec.terminationGracePeriodSeconds.longValue())
            .withNewAffinity()
            .withNewPodAntiAffinity()
            .addNewPreferredDuringSchedulingIgnoredDuringExecution()
            .withWeight(100)
            .withNewPodAffinityTerm()
            .withTopologyKey("kubernetes.io/hostname")
            .withNewLabelSelector()
            .withMatchLabels(selector)
            .endLabelSelector()
            .endPodAffinityTerm()
            .endPreferredDuringSchedulingIgnoredDuringExecution()
            .endPodAntiAffinity()
            .endAffinity()
            .addNewContainer()
            .withName(CONTAINER)
            .withImage(settings.image())
            .withImagePullPolicy(settings.imagePullPolicy())
            .withEnv(
                new EnvVarBuilder()
                    .withName(ENV_CONFIGMAP_NAME)
                    .withValue(Names.configMap(gw))
                    .build(),
                new EnvVarBuilder()
                    .withName(ENV_CONFIGMAP_NAMESPACE)
                    .withNewValueFrom()
                    .withNewFieldRef()
                    .withFieldPath("metadata.namespace")
                    .endFieldRef()
                    .endValueFrom()
                    .build(),
                new EnvVarBuilder()
                    .withName("POD_IP")
                    .withNewValueFrom()
                    .withNewFieldRef()
                    .withFieldPath("status.podIP")
                    .endFieldRef()
                    .endValueFrom()
                    .build(),
                advertisedEnv.get(0),
                new EnvVarBuilder()
                    .withName(Defaults.DRAIN_SECONDS_ENV)
                    .withValue(
                        Integer.toString(
                            drainSeconds(
                                spec.terminationGracePeriodSeconds,
                                settings.preStopSleepSeconds())))
                    .build())
            .addAllToEnv(advertisedEnv.subList(1, advertisedEnv.size()))
            .withPorts(ports)
            .withResources(resources(spec.resources))
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath("/q/health/ready")
            .withPort(new IntOrString(MANAGEMENT_PORT_NAME))
            .endHttpGet()
            .withPeriodSeconds(5)
            .withFailureThreshold(2)
            .endReadinessProbe()
            .withNewLivenessProbe()
            .withNewHttpGet()
            .withPath("/q/health/live")
            .withPort(new IntOrString(MANAGEMENT_PORT_NAME))
            .endHttpGet()
            .withInitialDelaySeconds(10)
            .withPeriodSeconds(10)
            .withFailureThreshold(3)
            .endLivenessProbe()
            .withNewLifecycle()
            .withNewPreStop()
            .withNewExec()
            .withCommand("/bin/sh", "-c", "sleep " + settings.preStopSleepSeconds())
            .endExec()
            .endPreStop()
            .endLifecycle()
            .addNewVolumeMount()
            .withName(TMP_VOLUME)
            .withMountPath("/tmp")
            .endVolumeMount()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    if (providesSealingSecret(gw)) {
      mountSealingSecret(d, gw);
    }
    mountCertificateSecrets(d, gw);
    if (spec.infrastructure != null) {
      place(d, gw, spec.infrastructure);
    }
    if (spec.media != null && "Sidecar".equals(spec.media.mode)) {
      addMediaSidecar(d, spec.media, settings);
    }
    return d;
  }

  /**
   * How long the runtime drains after SIGTERM: the grace period less the preStop pause that came
   * before the signal, less a margin to stop cleanly before the kubelet kills the container.
   */
  static int drainSeconds(int terminationGracePeriodSeconds, int preStopSleepSeconds) {
    return Math.max(
        0, terminationGracePeriodSeconds - preStopSleepSeconds - Defaults.DRAIN_MARGIN_SECONDS);
  }

  /**
   * What a wildcard listener without advertisedAddress writes into Via, Record-Route and Contact
   * ({@value Defaults#ADVERTISED_ADDRESS_ENV}): the load balancer's address once the Service of
   * type LoadBalancer has one (its ports are the listeners' ports; the pods roll once when it is
   * assigned), else the pod's own address, which reaches the pod from inside the cluster. Responses
   * and in-dialog requests that the load balancer hands to another replica are routed there from
   * what the messages carry (sealed Record-Route, Via), with no state shared.
   */
  static EnvVar advertisedAddress(Advertised a) {
    if (a.host() != null) {
      return new EnvVarBuilder()
          .withName(Defaults.ADVERTISED_ADDRESS_ENV)
          .withValue(a.host())
          .build();
    }
    return new EnvVarBuilder()
        .withName(Defaults.ADVERTISED_ADDRESS_ENV)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(a.fieldPath())
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  /** The downward API field of the pod's own IP (also the node's with hostNetwork). */
  public static final String POD_IP_FIELD = "status.podIP";

  /** The downward API field of the IP of the node the pod runs on. */
  public static final String HOST_IP_FIELD = "status.hostIP";

  /**
   * What the pods of a gateway advertise in Via, Record-Route and Contact: a fixed host, or (host
   * null) the value of a downward API field; and per listener name, a port other than its own.
   */
  public record Advertised(String host, String fieldPath, Map<String, Integer> ports) {}

  /**
   * Where SIP peers reach the pods, by Service type:
   *
   * <ul>
   *   <li>LoadBalancer: the load balancer's address once assigned (the listeners' ports); before
   *       that, the pod IP.
   *   <li>NodePort: the IP of the pod's own node ({@value #HOST_IP_FIELD}; with
   *       externalTrafficPolicy Local a node forwards only to its own pods, so each pod names its
   *       node) and, per listener, the node port the Service assigned to its port and protocol. A
   *       pod's node is known only to the pod (a Deployment has one template for every pod), hence
   *       the downward API rather than a Node's ExternalIP: where nodes are reached through other
   *       addresses than their InternalIP, set the listeners' advertisedAddress or use a load
   *       balancer.
   *   <li>ClusterIP (and hostNetwork, where the pod IP is the node's): the pod IP.
   * </ul>
   */
  public static Advertised advertised(SipGatewayResource gw, Service svc) {
    String lb = loadBalancerAddress(gw, svc);
    if (lb != null) {
      return new Advertised(lb, null, Map.of());
    }
    if (!"NodePort".equals(gw.getSpec().serviceType)) {
      return new Advertised(null, POD_IP_FIELD, Map.of());
    }
    Map<String, Integer> ports = new TreeMap<>();
    if (svc != null && svc.getSpec() != null && svc.getSpec().getPorts() != null) {
      for (SipGateway.Listener l : gw.getSpec().listeners) {
        String proto = l.protocol != null && l.protocol.endsWith("UDP") ? "UDP" : "TCP";
        for (ServicePort p : svc.getSpec().getPorts()) {
          if (p.getNodePort() != null
              && p.getNodePort() > 0
              && Objects.equals(p.getPort(), l.port)
              && proto.equals(p.getProtocol())) {
            ports.put(l.name, p.getNodePort());
          }
        }
      }
    }
    return new Advertised(null, HOST_IP_FIELD, ports);
  }

  /**
   * The first ingress address (IP, else host name) of the gateway's Service when it is of type
   * LoadBalancer and has one; null otherwise.
   */
  public static String loadBalancerAddress(SipGatewayResource gw, Service svc) {
    if (!"LoadBalancer".equals(gw.getSpec().serviceType)
        || svc == null
        || svc.getStatus() == null
        || svc.getStatus().getLoadBalancer() == null
        || svc.getStatus().getLoadBalancer().getIngress() == null) {
      return null;
    }
    for (var i : svc.getStatus().getLoadBalancer().getIngress()) {
      if (i.getIp() != null && !i.getIp().isBlank()) {
        return i.getIp();
      }
      if (i.getHostname() != null && !i.getHostname().isBlank()) {
        return i.getHostname();
      }
    }
    return null;
  }

  /** The pods' scheduling from spec.infrastructure: node selector, tolerations, zone spread. */
  private static void place(Deployment d, SipGatewayResource gw, SipGateway.Infrastructure inf) {
    var pod = d.getSpec().getTemplate().getSpec();
    if (inf.nodeSelector != null && !inf.nodeSelector.isEmpty()) {
      pod.setNodeSelector(new LinkedHashMap<>(inf.nodeSelector));
    }
    if (inf.tolerations != null && !inf.tolerations.isEmpty()) {
      List<io.fabric8.kubernetes.api.model.Toleration> ts = new ArrayList<>();
      for (SipGateway.Toleration t : inf.tolerations) {
        ts.add(
            new io.fabric8.kubernetes.api.model.TolerationBuilder()
                .withKey(t.key)
                .withOperator(t.operator)
                .withValue(t.value)
                .withEffect(t.effect)
                .withTolerationSeconds(
                    t.tolerationSeconds == null ? null : t.tolerationSeconds.longValue())
                .build());
      }
      pod.setTolerations(ts);
    }
    if (Boolean.TRUE.equals(inf.spreadAcrossZones)) {
      pod.setTopologySpreadConstraints(
          List.of(
              new io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder()
                  .withMaxSkew(1)
                  .withTopologyKey("topology.kubernetes.io/zone")
                  .withWhenUnsatisfiable("ScheduleAnyway")
                  .withNewLabelSelector()
                  .withMatchLabels(Names.selector(gw))
                  .endLabelSelector()
                  .build()));
    }
  }

  /**
   * Whether the operator gives the gateway its sealing secret: only when the gateway names none
   * ({@code spec.sealing} unset); otherwise the user's configuration is used as it is.
   */
  public static boolean providesSealingSecret(SipGatewayResource gw) {
    return gw.getSpec().sealing == null;
  }

  /**
   * A new sealing secret: {@value #SEALING_SECRET_BYTES} random bytes. The runtime drops one
   * trailing line end of a secret file (files are often written with echo), so a draw whose last
   * byte is a line feed is drawn again: every replica would drop it alike, but the key would be
   * shorter than it says.
   */
  public static byte[] newSealingSecret(Random random) {
    byte[] b = new byte[SEALING_SECRET_BYTES];
    do {
      random.nextBytes(b);
    } while (b[b.length - 1] == '\n');
    return b;
  }

  /**
   * The Secret every replica of the gateway reads its sealing secret from (key {@value
   * #SEALING_SECRET_KEY}), so that an in-dialog request sealed by one replica opens on another.
   * Made once: the operator never writes it again, since a new secret would refuse every dialog in
   * progress (the user rotates it, see the README).
   */
  public static Secret sealingSecret(SipGatewayResource gw, byte[] secret) {
    return new SecretBuilder()
        .withMetadata(meta(gw, Names.sealingSecret(gw)))
        .withType("Opaque")
        .withData(Map.of(SEALING_SECRET_KEY, Base64.getEncoder().encodeToString(secret)))
        .build();
  }

  /**
   * Mounts the sealing Secret read-only into the SBC container and names its files for the runtime
   * ({@value Defaults#SEALING_SECRET_FILE_ENV}, {@value Defaults#SEALING_PREVIOUS_SECRET_FILE_ENV},
   * the latter used only while the key {@value #SEALING_PREVIOUS_KEY} exists). The whole Secret is
   * mounted, not single keys through subPath, so that the kubelet updates the files after a
   * rotation; the pod template names the Secret only, so re-reading it never rolls the pods.
   */
  private static void mountSealingSecret(Deployment d, SipGatewayResource gw) {
    var pod = d.getSpec().getTemplate().getSpec();
    pod.getVolumes()
        .add(
            new VolumeBuilder()
                .withName(SEALING_VOLUME)
                .withNewSecret()
                .withSecretName(Names.sealingSecret(gw))
                .endSecret()
                .build());
    var sbc = pod.getContainers().get(0);
    sbc.getVolumeMounts()
        .add(
            new VolumeMountBuilder()
                .withName(SEALING_VOLUME)
                .withMountPath(SEALING_MOUNT_PATH)
                .withReadOnly(true)
                .build());
    sbc.getEnv()
        .add(
            new EnvVarBuilder()
                .withName(Defaults.SEALING_SECRET_FILE_ENV)
                .withValue(SEALING_MOUNT_PATH + "/" + SEALING_SECRET_KEY)
                .build());
    sbc.getEnv()
        .add(
            new EnvVarBuilder()
                .withName(Defaults.SEALING_PREVIOUS_SECRET_FILE_ENV)
                .withValue(SEALING_MOUNT_PATH + "/" + SEALING_PREVIOUS_KEY)
                .build());
  }

  /**
   * Mounts each Secret that a TLS listener's certificateRefs name, read-only, at {@value
   * Defaults#TLS_CERTIFICATES_DIR}/NAME (the runtime reads tls.crt and tls.key there and reads them
   * again when the kubelet updates them). Optional volumes: a Secret that is missing or invalid
   * leaves its listener down (reported in the listener's status), not the pod.
   */
  private static void mountCertificateSecrets(Deployment d, SipGatewayResource gw) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (SipGateway.Listener l : gw.getSpec().listeners) {
      if (l != null && l.tls != null && l.tls.certificateRefs != null) {
        for (io.sbc.api.Tls.CertificateRef r : l.tls.certificateRefs) {
          if (r != null && r.name != null) {
            names.add(r.name);
          }
        }
      }
    }
    var pod = d.getSpec().getTemplate().getSpec();
    var sbc = pod.getContainers().get(0);
    int i = 0;
    for (String name : names) {
      String volume = "tls-" + i++; // Secret names may be longer than a volume name may be
      pod.getVolumes()
          .add(
              new VolumeBuilder()
                  .withName(volume)
                  .withNewSecret()
                  .withSecretName(name)
                  .withOptional(true)
                  .endSecret()
                  .build());
      sbc.getVolumeMounts()
          .add(
              new VolumeMountBuilder()
                  .withName(volume)
                  .withMountPath(Defaults.TLS_CERTIFICATES_DIR + "/" + name)
                  .withReadOnly(true)
                  .build());
    }
  }

  /**
   * Adds RTPengine beside the SBC: userspace forwarding ({@code --table=-1}, no kernel module, no
   * capabilities), the pod IP as media interface (advertised as {@code advertisedAddress} when
   * given), ng control on loopback (the SBC container gets {@value #ENV_RTPENGINE_NG}), RTP on the
   * per-pod port range. The range is not listed as containerPorts (a thousand entries) and not put
   * into the Service: it is written on the pod as {@value #RTP_PORT_RANGE_ANNOTATION}; media
   * reaches the pod at its own address (see the README on reachability).
   */
  private static void addMediaSidecar(
      Deployment d, SipGateway.Media media, RuntimeSettings settings) {
    var pod = d.getSpec().getTemplate();
    Map<String, String> annotations = new LinkedHashMap<>(pod.getMetadata().getAnnotations());
    annotations.put(RTP_PORT_RANGE_ANNOTATION, media.rtpPortMin + "-" + media.rtpPortMax);
    pod.getMetadata().setAnnotations(annotations);
    pod.getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .add(new EnvVarBuilder().withName(ENV_RTPENGINE_NG).withValue(RTPENGINE_NG).build());
    String iface =
        "--interface=$(POD_IP)"
            + (media.advertisedAddress == null ? "" : "!" + media.advertisedAddress);
    pod.getSpec()
        .getContainers()
        .add(
            new ContainerBuilder()
                .withName(RTPENGINE_CONTAINER)
                .withImage(media.image != null ? media.image : settings.rtpengineImage())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withCommand("rtpengine")
                .withArgs(sidecarArgs(media, iface))
                .withResources(resources(media.resources))
                .withEnv(
                    new EnvVarBuilder()
                        .withName("POD_IP")
                        .withNewValueFrom()
                        .withNewFieldRef()
                        .withFieldPath("status.podIP")
                        .endFieldRef()
                        .endValueFrom()
                        .build())
                .withVolumeMounts(
                    new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath("/tmp").build())
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .build());
  }

  /** The sidecar's command line: what the operator sets, then the gateway's own args. */
  private static List<String> sidecarArgs(SipGateway.Media media, String iface) {
    List<String> args = new ArrayList<>();
    args.add("--foreground");
    args.add("--log-stderr");
    args.add("--table=-1");
    args.add(iface);
    args.add("--listen-ng=" + RTPENGINE_NG);
    args.add("--port-min=" + media.rtpPortMin);
    args.add("--port-max=" + media.rtpPortMax);
    if (media.args != null) {
      args.addAll(media.args);
    }
    return args;
  }

  private static ResourceRequirements resources(SipGateway.Resources r) {
    if (r == null) {
      return null;
    }
    return new ResourceRequirementsBuilder()
        .withRequests(quantities(r.requests))
        .withLimits(quantities(r.limits))
        .build();
  }

  private static Map<String, Quantity> quantities(Map<String, String> m) {
    if (m == null || m.isEmpty()) {
      return null;
    }
    Map<String, Quantity> q = new LinkedHashMap<>();
    m.forEach((k, v) -> q.put(k, new Quantity(v)));
    return q;
  }

  /**
   * The Service: UDP and TCP on the listener ports; externalTrafficPolicy Local when it is
   * reachable from outside the cluster, so that the SBC sees the client's address (NAT handling, IP
   * authorization).
   */
  public static Service service(SipGatewayResource gw) {
    String type = gw.getSpec().serviceType;
    List<ServicePort> ports = new ArrayList<>();
    for (PortKey k : ports(gw)) {
      ports.add(
          new ServicePortBuilder()
              .withName(k.name())
              .withPort(k.port())
              .withTargetPort(new IntOrString(k.port()))
              .withProtocol(k.protocol())
              .build());
    }
    boolean external = "LoadBalancer".equals(type) || "NodePort".equals(type);
    boolean lb = "LoadBalancer".equals(type);
    SipGateway.Infrastructure inf = gw.getSpec().infrastructure;
    ObjectMeta m = meta(gw, Names.workload(gw));
    if (inf != null && inf.serviceAnnotations != null && !inf.serviceAnnotations.isEmpty()) {
      m.setAnnotations(new LinkedHashMap<>(inf.serviceAnnotations));
    }
    return new ServiceBuilder()
        .withMetadata(m)
        .withNewSpec()
        .withType(type)
        .withSelector(Names.selector(gw))
        .withPorts(ports)
        .withExternalTrafficPolicy(external ? "Local" : null)
        .withLoadBalancerClass(lb && inf != null ? inf.loadBalancerClass : null)
        .withLoadBalancerIP(lb && inf != null ? inf.loadBalancerIP : null)
        .withLoadBalancerSourceRanges(
            lb
                    && inf != null
                    && inf.loadBalancerSourceRanges != null
                    && !inf.loadBalancerSourceRanges.isEmpty()
                ? inf.loadBalancerSourceRanges
                : null)
        .endSpec()
        .build();
  }

  /** The identity of the SBC pods. */
  public static ServiceAccount serviceAccount(SipGatewayResource gw) {
    return new ServiceAccountBuilder().withMetadata(meta(gw, Names.workload(gw))).build();
  }

  /** Lets the SBC pods read and watch their one ConfigMap, nothing else. */
  public static Role role(SipGatewayResource gw) {
    return new RoleBuilder()
        .withMetadata(meta(gw, Names.workload(gw)))
        .addNewRule()
        .withApiGroups("")
        .withResources("configmaps")
        .withResourceNames(Names.configMap(gw))
        .withVerbs("get", "list", "watch")
        .endRule()
        .build();
  }

  public static RoleBinding roleBinding(SipGatewayResource gw) {
    return new RoleBindingBuilder()
        .withMetadata(meta(gw, Names.workload(gw)))
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("Role")
        .withName(Names.workload(gw))
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(Names.workload(gw))
        .withNamespace(gw.getMetadata().getNamespace())
        .endSubject()
        .build();
  }

  /** The Pods metric the autoscaler reads when it scales on calls: the runtime's gauge. */
  public static final String ACTIVE_CALLS_METRIC = "sbc_calls_active";

  /**
   * The autoscaler, when the gateway asks for one (else null): on the average of the pods' {@value
   * #ACTIVE_CALLS_METRIC} (custom metrics API) when the gateway gives a calls target, else on the
   * CPU of the SBC container alone (ContainerResource: the media sidecar's CPU must not scale the
   * SIP pods), as a percentage of its request.
   */
  public static HorizontalPodAutoscaler autoscaler(SipGatewayResource gw) {
    SipGateway.Autoscaling a = gw.getSpec().autoscaling;
    if (a == null) {
      return null;
    }
    MetricSpec metric =
        a.targetActiveCallsPerPod != null
            ? new MetricSpecBuilder()
                .withType("Pods")
                .withNewPods()
                .withNewMetric()
                .withName(ACTIVE_CALLS_METRIC)
                .endMetric()
                .withNewTarget()
                .withType("AverageValue")
                .withAverageValue(new Quantity(String.valueOf(a.targetActiveCallsPerPod)))
                .endTarget()
                .endPods()
                .build()
            : new MetricSpecBuilder()
                .withType("ContainerResource")
                .withNewContainerResource()
                .withName("cpu")
                .withContainer(CONTAINER)
                .withNewTarget()
                .withType("Utilization")
                .withAverageUtilization(a.targetCPUUtilizationPercentage)
                .endTarget()
                .endContainerResource()
                .build();
    return new HorizontalPodAutoscalerBuilder()
        .withMetadata(meta(gw, Names.workload(gw)))
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(Names.workload(gw))
        .endScaleTargetRef()
        .withMinReplicas(a.minReplicas)
        .withMaxReplicas(a.maxReplicas)
        .withMetrics(metric)
        .endSpec()
        .build();
  }

  /** At most one pod of the gateway evicted at a time (node drains drain calls one by one). */
  public static PodDisruptionBudget disruptionBudget(SipGatewayResource gw) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(gw, Names.workload(gw)))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(Names.selector(gw))
        .endSelector()
        .endSpec()
        .build();
  }
}
