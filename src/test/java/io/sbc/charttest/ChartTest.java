package io.sbc.charttest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart {@code charts/sbc-operator}: lints, renders with default values and with {@code
 * watchNamespaces}, grants the operator what it needs (and no more than the list below says), and
 * ships exactly the CRDs the operator build generated into the top-level {@code crds/}.
 *
 * <p>Helm runs in-process through helm-java, which bundles Helm as a native library (the
 * linux-amd64 one is pulled by an OS-activated profile of its pom): no helm binary, no cluster.
 */
class ChartTest {

  private static final String RELEASE = "sbc";
  private static final String NAMESPACE = "sbc-system";

  /** helm-java's Helm defaults to Kubernetes v1.20 when rendering; the chart needs 1.23+. */
  private static final String KUBE_VERSION = "1.30.0";

  private static final List<String> ALL_WRITE =
      List.of("get", "list", "watch", "create", "update", "patch", "delete");
  private static final List<String> READ = List.of("get", "list", "watch");

  /** One permission: API group, resource, verbs. */
  record Need(String group, String resource, List<String> verbs) {}

  /** What the operator does in every namespace it watches. */
  private static final List<Need> NAMESPACED_NEEDS =
      List.of(
          new Need("sbc.io", "sipgateways", READ),
          new Need("sbc.io", "siproutes", READ),
          new Need("sbc.io", "sipdispatchers", READ),
          new Need("sbc.io", "sipgateways/status", List.of("get", "update", "patch")),
          new Need("sbc.io", "siproutes/status", List.of("get", "update", "patch")),
          new Need("sbc.io", "sipdispatchers/status", List.of("get", "update", "patch")),
          new Need("", "configmaps", ALL_WRITE),
          new Need("", "services", ALL_WRITE),
          new Need("", "serviceaccounts", ALL_WRITE),
          new Need("apps", "deployments", ALL_WRITE),
          new Need("autoscaling", "horizontalpodautoscalers", ALL_WRITE),
          new Need("policy", "poddisruptionbudgets", ALL_WRITE),
          new Need("rbac.authorization.k8s.io", "roles", ALL_WRITE),
          new Need("rbac.authorization.k8s.io", "rolebindings", ALL_WRITE),
          new Need("discovery.k8s.io", "endpointslices", READ),
          new Need("", "pods", READ),
          new Need("", "secrets", List.of("get", "create")),
          new Need("", "events", List.of("create")));

  /** Cluster-scoped resources: only a ClusterRole can grant them. */
  private static final List<Need> CLUSTER_NEEDS = List.of(new Need("", "nodes", READ));

  private static Path home;
  private static Path chart;
  private static String appVersion;

  @TempDir Path tmp;

  @BeforeAll
  static void locate() throws IOException {
    home = Paths.get(System.getProperty("sbc.home", "..")).toAbsolutePath().normalize();
    chart = home.resolve("charts/sbc-operator");
    assertTrue(Files.isRegularFile(chart.resolve("Chart.yaml")), "no chart at " + chart);
    Map<String, Object> chartYaml = new Yaml().load(Files.readString(chart.resolve("Chart.yaml")));
    appVersion = String.valueOf(chartYaml.get("appVersion"));
  }

  @Test
  void lintsWithoutErrorsInStrictMode() {
    LintResult result = new Helm(chart).lint().strict().call();
    assertFalse(result.isFailed(), () -> "helm lint --strict: " + result.getMessages());
    assertTrue(
        result.getMessages().stream().noneMatch(m -> m.contains("[ERROR]")),
        () -> "helm lint: " + result.getMessages());
  }

  @Test
  void defaultValuesWatchAllNamespacesThroughClusterRoles() {
    List<Map<String, Object>> objects = render(Map.of());

    assertEquals(
        List.of(
            "ClusterRole",
            "ClusterRole",
            "ClusterRoleBinding",
            "ClusterRoleBinding",
            "Deployment",
            "Role",
            "RoleBinding",
            "ServiceAccount"),
        kinds(objects));
    // The Role of the leader election Lease, in the operator's own namespace, and nothing more.
    assertEquals(
        List.of(
            Map.of(
                "apiGroups",
                List.of("coordination.k8s.io"),
                "resources",
                List.of("leases"),
                "verbs",
                List.of("get", "create", "update"))),
        rulesOf(objects, "Role", NAMESPACE));

    Map<String, Object> deployment = only(objects, "Deployment");
    assertEquals(NAMESPACE, metadata(deployment).get("namespace"));
    Map<String, Object> container = container(deployment);
    assertEquals("sbc-operator:" + appVersion, container.get("image"));
    assertEquals("IfNotPresent", container.get("imagePullPolicy"));
    Map<String, String> env = env(container);
    assertEquals("JOSDK_ALL_NAMESPACES", env.get("QUARKUS_OPERATOR_SDK_NAMESPACES"));
    assertEquals("", env.get("WATCH_NAMESPACES"));
    assertEquals("sbc-runtime:" + appVersion, env.get("SBC_OPERATOR_RUNTIME_IMAGE"));
    assertFalse(env.containsKey("QUARKUS_OPERATOR_SDK_CRD_VALIDATE"));
    assertEquals(
        Map.of(
            "requests",
            Map.of("cpu", "100m", "memory", "256Mi"),
            "limits",
            Map.of("memory", "512Mi")),
        container.get("resources"));

    String serviceAccount = String.valueOf(podSpec(deployment).get("serviceAccountName"));
    assertEquals(serviceAccount, name(only(objects, "ServiceAccount")));

    List<Map<String, Object>> clusterRules = rulesOf(objects, "ClusterRole", null);
    assertCovers(clusterRules, NAMESPACED_NEEDS, "ClusterRoles");
    assertCovers(clusterRules, CLUSTER_NEEDS, "ClusterRoles");
    assertBindingsReachServiceAccount(objects, serviceAccount);
  }

  @Test
  void watchNamespacesSwitchToRolesPerNamespace() {
    List<Map<String, Object>> objects =
        render(Map.of("watchNamespaces", List.of("team-a", "team-b", "team-a")));

    assertEquals(
        List.of(
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "Role",
            "Role",
            "Role",
            "RoleBinding",
            "RoleBinding",
            "RoleBinding",
            "ServiceAccount"),
        kinds(objects));

    Map<String, String> env = env(container(only(objects, "Deployment")));
    assertEquals("team-a,team-b", env.get("QUARKUS_OPERATOR_SDK_NAMESPACES"));
    assertEquals("team-a,team-b", env.get("WATCH_NAMESPACES"));

    for (String ns : List.of("team-a", "team-b")) {
      assertCovers(rulesOf(objects, "Role", ns), NAMESPACED_NEEDS, "Role in " + ns);
    }
    List<Map<String, Object>> clusterRules = rulesOf(objects, "ClusterRole", null);
    assertCovers(clusterRules, CLUSTER_NEEDS, "ClusterRole");
    // The cluster-wide role grants cluster-scoped resources only, nothing namespaced.
    for (Need need : NAMESPACED_NEEDS) {
      for (String verb : need.verbs()) {
        assertFalse(
            grants(clusterRules, need.group(), need.resource(), verb),
            "ClusterRole grants " + verb + " " + need + " although namespaces are listed");
      }
    }
    String serviceAccount =
        String.valueOf(podSpec(only(objects, "Deployment")).get("serviceAccountName"));
    assertBindingsReachServiceAccount(objects, serviceAccount);
  }

  @Test
  void imagesAndResourcesComeFromValues() {
    Map<String, Object> values =
        Map.of(
            "image",
            Map.of(
                "repository",
                "registry.example.com/sbc/operator",
                "tag",
                "1.2.3",
                "pullPolicy",
                "Always"),
            "sbcImage",
            Map.of("repository", "registry.example.com/sbc/runtime", "tag", "4.5.6"),
            "resources",
            Map.of(
                "requests", Map.of("cpu", "1", "memory", "1Gi"),
                "limits", Map.of("memory", "2Gi")));
    Map<String, Object> container = container(only(render(values), "Deployment"));
    assertEquals("registry.example.com/sbc/operator:1.2.3", container.get("image"));
    assertEquals("Always", container.get("imagePullPolicy"));
    assertEquals("registry.example.com/sbc/runtime:4.5.6", env(container).get("SBC_OPERATOR_RUNTIME_IMAGE"));
    assertEquals(
        Map.of(
            "requests", Map.of("cpu", "1", "memory", "1Gi"), "limits", Map.of("memory", "2Gi")),
        container.get("resources"));

    Map<String, Object> byString =
        container(
            only(render(Map.of("sbcImage", "registry.example.com/sbc@sha256:abc")), "Deployment"));
    assertEquals("registry.example.com/sbc@sha256:abc", env(byString).get("SBC_OPERATOR_RUNTIME_IMAGE"));
  }

  @Test
  void withoutCrdReadAccessTheStartupCrdCheckIsOff() {
    List<Map<String, Object>> objects = render(Map.of("rbac", Map.of("readCrds", false)));
    assertEquals(
        "false",
        env(container(only(objects, "Deployment"))).get("QUARKUS_OPERATOR_SDK_CRD_VALIDATE"));
    assertFalse(
        grants(
            rulesOf(objects, "ClusterRole", null),
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "get"));
    assertTrue(
        grants(
            rulesOf(render(Map.of()), "ClusterRole", null),
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "get"));
  }

  /**
   * No wildcards; Secrets only read by name and created (the gateways' sealing Secrets): never
   * listed or watched (every Secret of a namespace), never changed or deleted.
   */
  @Test
  void grantsNoWildcardsAndSecretsOnlyByNameAndCreate() {
    for (Map<String, Object> values :
        List.<Map<String, Object>>of(Map.of(), Map.of("watchNamespaces", List.of("team-a")))) {
      List<Map<String, Object>> objects = render(values);
      List<Map<String, Object>> rules = new ArrayList<>(rulesOf(objects, "ClusterRole", null));
      rules.addAll(rulesOf(objects, "Role", null));
      for (Map<String, Object> rule : rules) {
        for (String field : List.of("apiGroups", "resources", "verbs")) {
          assertFalse(strings(rule.get(field)).contains("*"), "wildcard in " + rule);
        }
      }
      for (String verb :
          List.of("list", "watch", "update", "patch", "delete", "deletecollection")) {
        assertFalse(grants(rules, "", "secrets", verb), "secrets " + verb);
      }
    }
  }

  @Test
  void refusesANamespaceThatIsNotADnsLabel() {
    Exception e =
        assertThrows(Exception.class, () -> render(Map.of("watchNamespaces", List.of("Team_A"))));
    assertTrue(e.getMessage().contains("watchNamespaces"), e.getMessage());
  }

  /** Every metric name a PromQL expression uses (sbc_... and jvm_...). */
  private static Set<String> metricNames(String text) {
    Set<String> names = new TreeSet<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\b((?:sbc|jvm)_[a-z_]+)\\b").matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * With monitoring on: a PodMonitor on the SBC pods' management port, alerts and a Grafana
   * dashboard; every sbc_ metric they use is one the runtime documents (README's table, which
   * MetricsTest holds the runtime to), so no alert waits on a series that never exists.
   */
  @Test
  void monitoringRendersAPodMonitorAlertsAndADashboardOnDocumentedMetrics() throws IOException {
    assertTrue(
        kinds(render(Map.of())).stream().noneMatch(k -> k.contains("Monitor") || k.contains("Rule")),
        "off by default");
    List<Map<String, Object>> objects =
        render(
            Map.of(
                "monitoring",
                Map.of(
                    "podMonitor", Map.of("enabled", true),
                    "prometheusRule", Map.of("enabled", true),
                    "dashboard", Map.of("enabled", true))));
    Map<String, Object> podMonitor = only(objects, "PodMonitor");
    String pm = new Yaml().dump(podMonitor);
    assertTrue(pm.contains("app.kubernetes.io/name: sbc"), pm);
    assertTrue(pm.contains("port: management") && pm.contains("path: /q/metrics"), pm);
    String rules = new Yaml().dump(only(objects, "PrometheusRule"));
    Map<String, Object> dashboardMap = only(objects, "ConfigMap");
    assertEquals("1", map(metadata(dashboardMap).get("labels")).get("grafana_dashboard"));
    String dashboard = String.valueOf(map(dashboardMap.get("data")).get("sbc.json"));
    assertTrue(dashboard.contains("\"panels\""), dashboard);
    for (String needed :
        List.of(
            "sbc_calls_answered_total",
            "sbc_calls_active",
            "sbc_sip_branches_ended_total",
            "sbc_transactions_server",
            "sbc_dispatcher_destination_up",
            "sbc_config_reloads_total",
            "jvm_gc_pause_seconds_sum")) {
      assertTrue(dashboard.contains(needed), "the dashboard shows " + needed);
    }
    for (String alert :
        List.of(
            "SbcDispatcherDestinationDown",
            "SbcConfigReloadRefused",
            "SbcEventLoopStalled",
            "SbcMessagesDropped")) {
      assertTrue(rules.contains(alert), "alert " + alert);
    }
    String readme = Files.readString(home.resolve("README.md"));
    Set<String> documented = new TreeSet<>();
    for (String line : readme.lines().toList()) {
      if (line.startsWith("| `sbc_")) {
        documented.addAll(metricNames(line));
      }
    }
    Set<String> used = metricNames(rules + dashboard);
    used.removeIf(n -> n.startsWith("jvm_"));
    assertFalse(used.isEmpty());
    used.removeAll(documented);
    assertEquals(Set.of(), used, "metrics the runtime does not document: " + used);
  }

  /**
   * crds.manage renders the chart's CRDs as templates too (so `helm upgrade` applies a new schema),
   * each kept on uninstall; off by default.
   */
  @Test
  void crdsCanBeUpgradedWithTheRelease() {
    assertFalse(kinds(render(Map.of())).contains("CustomResourceDefinition"));
    List<Map<String, Object>> crds =
        render(Map.of("crds", Map.of("manage", true))).stream()
            .filter(o -> "CustomResourceDefinition".equals(o.get("kind")))
            .toList();
    assertEquals(
        List.of("sipdispatchers.sbc.io", "sipgateways.sbc.io", "siproutes.sbc.io"),
        crds.stream().map(o -> name(o)).sorted().toList());
    for (Map<String, Object> crd : crds) {
      assertEquals("keep", String.valueOf(annotations(crd).get("helm.sh/resource-policy")));
    }
  }

  private static Map<String, Object> annotations(Map<String, Object> o) {
    Object a = metadata(o).get("annotations");
    return a == null ? Map.of() : map(a);
  }

  /** A misspelt value is an error, not a silent default (values.schema.json). */
  @Test
  void refusesUnknownValues() {
    Exception top = assertThrows(Exception.class, () -> render(Map.of("replicas", 2)));
    assertTrue(top.getMessage().contains("replicas"), top.getMessage());
    Exception nested =
        assertThrows(
            Exception.class, () -> render(Map.of("image", Map.of("repository", "x", "tags", "1"))));
    assertTrue(nested.getMessage().contains("tags"), nested.getMessage());
  }

  /** The chart's crds/ holds the same files as the top-level crds/, byte for byte. */
  @Test
  void chartCrdsAreExactCopiesOfTheGeneratedCrds() throws IOException {
    Path generated = home.resolve("crds");
    Path copies = chart.resolve("crds");
    Set<String> generatedNames = manifestNames(generated);
    assertEquals(
        generatedNames,
        manifestNames(copies),
        "charts/sbc-operator/crds differs from crds/: run charts/sync-crds.sh");
    for (String name : generatedNames) {
      assertArrayEquals(
          Files.readAllBytes(generated.resolve(name)),
          Files.readAllBytes(copies.resolve(name)),
          name + " differs from crds/" + name + ": run charts/sync-crds.sh");
    }
  }

  /** The chart installs the three CRDs of group sbc.io, each with a status subresource. */
  @Test
  void chartShipsTheThreeCrdsWithStatus() throws IOException {
    Path copies = chart.resolve("crds");
    Set<String> plurals = new TreeSet<>();
    for (String file : manifestNames(copies)) {
      for (Object doc : new Yaml().loadAll(Files.readString(copies.resolve(file)))) {
        if (doc == null) {
          continue;
        }
        Map<String, Object> crd = map(doc);
        assertEquals("CustomResourceDefinition", crd.get("kind"), file);
        Map<String, Object> spec = map(crd.get("spec"));
        assertEquals("sbc.io", spec.get("group"), file);
        plurals.add(String.valueOf(map(spec.get("names")).get("plural")));
        for (Object version : (List<?>) spec.get("versions")) {
          Map<String, Object> subresources = map(map(version).get("subresources"));
          assertNotNull(subresources.get("status"), file + ": no status subresource");
        }
      }
    }
    assertEquals(Set.of("sipdispatchers", "siproutes", "sipgateways"), plurals);
  }

  // --- rendering ---

  private List<Map<String, Object>> render(Map<String, Object> values) {
    Path valuesFile = tmp.resolve("values-" + System.nanoTime() + ".yaml");
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    try {
      Files.writeString(valuesFile, new Yaml(options).dump(values));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String manifest =
        new Helm(chart)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION)
            .skipCrds()
            .withValuesFile(valuesFile)
            .call();
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object doc : new Yaml(new LoaderOptions()).loadAll(manifest)) {
      if (doc != null) {
        objects.add(map(doc));
      }
    }
    return objects;
  }

  private static List<String> kinds(List<Map<String, Object>> objects) {
    return objects.stream().map(o -> String.valueOf(o.get("kind"))).sorted().toList();
  }

  private static Map<String, Object> only(List<Map<String, Object>> objects, String kind) {
    List<Map<String, Object>> found =
        objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    assertEquals(1, found.size(), () -> "one " + kind + " expected, got " + found.size());
    return found.get(0);
  }

  private static Map<String, Object> metadata(Map<String, Object> object) {
    return map(object.get("metadata"));
  }

  private static String name(Map<String, Object> object) {
    return String.valueOf(metadata(object).get("name"));
  }

  private static Map<String, Object> podSpec(Map<String, Object> deployment) {
    return map(map(map(deployment.get("spec")).get("template")).get("spec"));
  }

  private static Map<String, Object> container(Map<String, Object> deployment) {
    List<?> containers = (List<?>) podSpec(deployment).get("containers");
    assertEquals(1, containers.size());
    return map(containers.get(0));
  }

  /** Literal env values by name (valueFrom entries map to null). */
  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new java.util.HashMap<>();
    for (Object e : (List<?>) container.get("env")) {
      Map<String, Object> var = map(e);
      Object value = var.get("value");
      env.put(String.valueOf(var.get("name")), value == null ? null : String.valueOf(value));
    }
    return env;
  }

  // --- RBAC ---

  /** The rules of every object of {@code kind}, in {@code namespace} (null: any). */
  private static List<Map<String, Object>> rulesOf(
      List<Map<String, Object>> objects, String kind, String namespace) {
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Map<String, Object> o : objects) {
      if (kind.equals(o.get("kind"))
          && (namespace == null || namespace.equals(metadata(o).get("namespace")))) {
        for (Object rule : (List<?>) o.get("rules")) {
          rules.add(map(rule));
        }
      }
    }
    return rules;
  }

  private static boolean grants(
      List<Map<String, Object>> rules, String group, String resource, String verb) {
    return rules.stream()
        .anyMatch(
            r ->
                strings(r.get("apiGroups")).contains(group)
                    && strings(r.get("resources")).contains(resource)
                    && strings(r.get("verbs")).contains(verb));
  }

  private static void assertCovers(
      List<Map<String, Object>> rules, List<Need> needs, String where) {
    List<String> missing = new ArrayList<>();
    for (Need need : needs) {
      for (String verb : need.verbs()) {
        if (!grants(rules, need.group(), need.resource(), verb)) {
          missing.add(
              verb + " " + (need.group().isEmpty() ? "" : need.group() + "/") + need.resource());
        }
      }
    }
    assertTrue(missing.isEmpty(), where + " lack: " + missing);
  }

  /** Every binding refers to a rendered role of the right kind and binds the operator's account. */
  private static void assertBindingsReachServiceAccount(
      List<Map<String, Object>> objects, String serviceAccount) {
    for (Map<String, Object> binding : objects) {
      String kind = String.valueOf(binding.get("kind"));
      if (!kind.endsWith("Binding")) {
        continue;
      }
      Map<String, Object> roleRef = map(binding.get("roleRef"));
      String roleKind = kind.replace("Binding", "");
      assertEquals(roleKind, roleRef.get("kind"), name(binding));
      Object bindingNs = metadata(binding).get("namespace");
      assertTrue(
          objects.stream()
              .anyMatch(
                  o ->
                      roleKind.equals(o.get("kind"))
                          && roleRef.get("name").equals(name(o))
                          && Objects.equals(bindingNs, metadata(o).get("namespace"))),
          "binding " + name(binding) + " refers to a role that is not rendered");
      List<?> subjects = (List<?>) binding.get("subjects");
      assertEquals(1, subjects.size());
      Map<String, Object> subject = map(subjects.get(0));
      assertEquals("ServiceAccount", subject.get("kind"));
      assertEquals(serviceAccount, subject.get("name"));
      assertEquals(NAMESPACE, subject.get("namespace"));
    }
  }

  // --- files and YAML ---

  private static Set<String> manifestNames(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml") || n.endsWith(".json"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  private static List<String> strings(Object o) {
    return o == null ? List.of() : ((List<?>) o).stream().map(String::valueOf).toList();
  }
}
