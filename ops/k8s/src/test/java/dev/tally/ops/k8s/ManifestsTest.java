package dev.tally.ops.k8s;

import static dev.tally.ops.k8s.Manifests.at;
import static dev.tally.ops.k8s.Manifests.container;
import static dev.tally.ops.k8s.Manifests.list;
import static dev.tally.ops.k8s.Manifests.map;
import static dev.tally.ops.k8s.Manifests.maps;
import static dev.tally.ops.k8s.Manifests.ports;
import static dev.tally.ops.k8s.Manifests.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The manifests agree with each other and with the node's configuration. */
class ManifestsTest {

  /** A pod IP the downward API would give; the node must end up advertising it. */
  private static final String POD_IP = "10.244.1.7";

  /** Container port name, and the node setting that decides the port. */
  static final Map<String, String> PORT_SETTINGS = Map.of(
      "grpc", "tally.grpc.port",
      "remoting", "pekko.remote.artery.canonical.port",
      "management", "pekko.management.http.port",
      "metrics", "tally.metrics.port");

  private static final String BOOTSTRAP = "pekko.management.cluster.bootstrap.contact-point-discovery";

  private static Manifests manifests;
  private static Map<String, Object> deployment;
  private static Map<String, Object> node;

  @BeforeAll
  static void load() throws IOException {
    manifests = Manifests.load();
    deployment = manifests.get("Deployment", "tally");
    node = container(deployment);
  }

  @Test
  void kustomizationListsEveryManifestAndNamesNoNamespace() throws IOException {
    Set<String> files;
    try (Stream<Path> listing = Files.list(Manifests.DIR)) {
      files = listing.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(files, new TreeSet<>(list(manifests.kustomization.get("resources"))));
    assertFalse(manifests.kustomization.containsKey("namespace"), "namespace-agnostic");
    for (Map<String, Object> object : manifests.objects) {
      assertNotNull(object.get("apiVersion"), "apiVersion of " + object);
      assertNotNull(at(object, "metadata", "name"), "name of " + object);
      assertFalse(map(object.get("metadata")).containsKey("namespace"), "namespace-agnostic: " + at(object, "metadata", "name"));
    }
  }

  @Test
  void deploymentServicePdbAndDiscoverySelectTheSamePods() {
    Map<String, String> podLabels = strings(at(deployment, "spec", "template", "metadata", "labels"));
    Map<String, String> selector = strings(at(deployment, "spec", "selector", "matchLabels"));
    assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "the Deployment selects its own pods");

    Map<String, Object> service = manifests.get("Service", "tally");
    assertEquals(selector, strings(at(service, "spec", "selector")), "Service selector");
    Map<String, Object> pdb = manifests.get("PodDisruptionBudget", "tally");
    assertEquals(selector, strings(at(pdb, "spec", "selector", "matchLabels")), "PodDisruptionBudget selector");
    for (Map<String, Object> spread : maps(at(deployment, "spec", "template", "spec", "topologySpreadConstraints"))) {
      assertEquals(selector, strings(at(spread, "labelSelector", "matchLabels")), "topology spread selector");
    }

    // Cluster Bootstrap looks pods up by pod-label-selector, "%s" being the bootstrap service name.
    Config config = deploymentConfig();
    assertTrue(config.hasPath(BOOTSTRAP + ".service-name"), "the node's config names no bootstrap service-name");
    String discovery = String.format(
        config.getString("pekko.discovery.kubernetes-api.pod-label-selector"), config.getString(BOOTSTRAP + ".service-name"));
    String[] label = discovery.split("=", 2);
    assertEquals(Map.of(label[0], label[1]), selector, "the Deployment selects exactly the pods discovery finds (" + discovery + ")");

    // Only the nodes carry the label: discovery must not take another pod (the schema Job's) for a node.
    for (Map<String, Object> workload : manifests.objects) {
      if (workload != deployment && at(workload, "spec", "template") != null) {
        Map<String, String> labels = strings(at(workload, "spec", "template", "metadata", "labels"));
        assertFalse(labels.entrySet().containsAll(selector.entrySet()), at(workload, "metadata", "name") + " looks like a node");
      }
    }
  }

  @Test
  void containerPortsAreTheNodesPorts() {
    Config config = deploymentConfig();
    Map<String, Integer> expected = new LinkedHashMap<>();
    PORT_SETTINGS.forEach((name, path) -> {
      assertTrue(config.hasPath(path), "the node's config has no " + path + " (the " + name + " port)");
      expected.put(name, config.getInt(path));
    });
    assertEquals(expected, ports(node));
    assertEquals(3, at(deployment, "spec", "replicas"));
  }

  @Test
  void headlessServiceExposesGrpcOnTheNodesPort() {
    Map<String, Object> service = manifests.get("Service", "tally");
    assertEquals("None", at(service, "spec", "clusterIP"), "headless: clients balance over the pod IPs");
    Map<String, Object> grpc = maps(at(service, "spec", "ports")).stream()
        .filter(p -> "grpc".equals(p.get("name"))).findFirst().orElseThrow();
    assertEquals(ports(node).get("grpc"), grpc.get("port"), "clients dial the same port the pods listen on");
    for (Map<String, Object> port : maps(at(service, "spec", "ports"))) {
      assertTrue(ports(node).containsKey(String.valueOf(port.get("targetPort"))), "targetPort names a container port: " + port);
    }
  }

  @Test
  void noServiceExposesManagementOrMetrics() {
    for (Map<String, Object> service : manifests.all("Service")) {
      for (Map<String, Object> port : maps(at(service, "spec", "ports"))) {
        assertEquals("grpc", String.valueOf(port.get("targetPort")), "Service " + at(service, "metadata", "name")
            + " exposes " + port + ": management and metrics are reached on pod IPs, inside the NetworkPolicy");
      }
    }
  }

  @Test
  void networkPolicyLetsClientsReachOnlyGrpcAndKeepsArteryAndManagementBetweenNodes() {
    Map<String, String> nodes = strings(at(deployment, "spec", "selector", "matchLabels"));
    List<Map<String, Object>> policies = manifests.all("NetworkPolicy").stream()
        .filter(p -> nodes.equals(strings(at(p, "spec", "podSelector", "matchLabels"))))
        .toList();
    assertEquals(1, policies.size(), "one NetworkPolicy selects the node pods");
    Map<String, Object> policy = policies.get(0);
    assertTrue(list(at(policy, "spec", "policyTypes")).contains("Ingress"), "it isolates the nodes' ingress");

    // Container port name -> who may reach it: "anyone", or one string per peer of the rules that name it.
    Map<String, Set<String>> allowed = new LinkedHashMap<>();
    for (Map<String, Object> rule : maps(at(policy, "spec", "ingress"))) {
      List<Map<String, Object>> rulePorts = maps(rule.get("ports"));
      assertFalse(rulePorts.isEmpty(), "a rule without ports opens every port: " + rule);
      List<Map<String, Object>> peers = maps(rule.get("from"));
      for (Map<String, Object> port : rulePorts) {
        String name = String.valueOf(port.get("port"));
        assertTrue(ports(node).containsKey(name), "the policy names port " + name + ", not a container port of " + ports(node).keySet());
        Set<String> from = allowed.computeIfAbsent(name, n -> new TreeSet<>());
        if (peers.isEmpty()) from.add("anyone");
        peers.forEach(peer -> from.add(peer.toString()));
      }
    }
    assertEquals(Set.of("anyone"), allowed.get("grpc"), "clients reach the gRPC port");
    String otherNodes = Map.of("podSelector", Map.of("matchLabels", nodes)).toString();
    for (String internal : List.of("remoting", "management")) {
      Set<String> from = allowed.getOrDefault(internal, Set.of());
      assertTrue(from.contains(otherNodes), "the other nodes reach " + internal + ": " + from);
      assertFalse(from.contains("anyone"), internal + " is not open to clients");
      for (String peer : from) {
        assertFalse(peer.contains("namespaceSelector") || peer.contains("ipBlock"),
            internal + " only from pods of this namespace: " + peer);
      }
    }
    assertFalse(allowed.getOrDefault("metrics", Set.of("anyone")).contains("anyone"), "metrics only from Prometheus: " + allowed);
    assertTrue(allowed.get("metrics").stream().allMatch(peer -> peer.contains("prometheus")),
        "metrics only from the pods labelled as Prometheus: " + allowed.get("metrics"));
  }

  @Test
  void probesAskPekkoManagementWhetherTheNodeIsAliveAndReady() {
    assertProbe("readinessProbe", "/ready");
    assertProbe("livenessProbe", "/alive");
    if (node.containsKey("startupProbe")) {
      assertProbe("startupProbe", "/alive");
    }
  }

  private static void assertProbe(String probe, String path) {
    Map<String, Object> httpGet = map(at(node, probe, "httpGet"));
    assertEquals(path, httpGet.get("path"), probe);
    Object port = httpGet.get("port");
    assertTrue("management".equals(port) || ports(node).get("management").equals(port), probe + " on the management port, not " + port);
  }

  @Test
  void deploymentSetsOnlyVariablesTheNodeReads() throws IOException {
    Set<String> read = NodeConfig.environmentVariables();
    for (String name : deploymentEnvironment().keySet()) {
      assertTrue(read.contains(name), name + " is set but the node reads no such variable; it reads " + read);
    }
  }

  @Test
  void environmentMakesTheNodeAClusterMemberReachableAtItsPodIp() {
    Config config = deploymentConfig();
    assertEquals("0.0.0.0", config.getString("tally.grpc.host"), "gRPC reachable from clients and port-forward");
    assertEquals("0.0.0.0", config.getString("tally.metrics.host"), "metrics reachable from Prometheus");
    assertEquals(POD_IP, config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(POD_IP, config.getString("pekko.management.http.hostname"));
    assertEquals("kubernetes-api", config.getString(BOOTSTRAP + ".discovery-method"));
    int required = config.getInt(BOOTSTRAP + ".required-contact-point-nr");
    assertTrue(required > 1 && required <= (Integer) at(deployment, "spec", "replicas"),
        "a fresh start waits for more than one pod, and no more than there are: " + required);
    if (config.hasPath(BOOTSTRAP + ".port-name") && !config.getString(BOOTSTRAP + ".port-name").isEmpty()) {
      assertTrue(ports(node).containsKey(config.getString(BOOTSTRAP + ".port-name")), "bootstrap port-name names a container port");
    }
  }

  @Test
  void podsAreDownedAndTheirOrgsMovedMoreCautiouslyThanOnOneMachine() {
    Config pod = deploymentConfig();
    Config oneMachine = NodeConfig.defaults();
    for (String failoverTime : List.of(
        "pekko.cluster.split-brain-resolver.stable-after", "pekko.cluster.down-removal-margin")) {
      assertTrue(pod.getDuration(failoverTime).compareTo(oneMachine.getDuration(failoverTime)) > 0,
          failoverTime + " in a pod (" + pod.getDuration(failoverTime) + ") is longer than on one machine ("
              + oneMachine.getDuration(failoverTime) + "): a real network and CPU limits pause nodes that are alive");
    }
  }

  @Test
  void prometheusScrapesTheMetricsPort() {
    Map<String, String> annotations = strings(at(deployment, "spec", "template", "metadata", "annotations"));
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals(String.valueOf(ports(node).get("metrics")), annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));
  }

  @Test
  void serviceAccountMayGetWatchAndListPodsInItsNamespace() {
    String account = (String) at(deployment, "spec", "template", "spec", "serviceAccountName");
    assertNotNull(account, "the Deployment names its service account");
    manifests.get("ServiceAccount", account);

    List<Map<String, Object>> bindings = manifests.all("RoleBinding").stream()
        .filter(b -> maps(b.get("subjects")).stream()
            .anyMatch(s -> "ServiceAccount".equals(s.get("kind")) && account.equals(s.get("name"))))
        .toList();
    assertFalse(bindings.isEmpty(), "a RoleBinding for service account " + account);
    boolean podsReadable = bindings.stream().anyMatch(binding -> {
      assertEquals("Role", at(binding, "roleRef", "kind"), "a namespaced Role, not a ClusterRole");
      Map<String, Object> role = manifests.get("Role", (String) at(binding, "roleRef", "name"));
      return maps(role.get("rules")).stream().anyMatch(rule ->
          list(rule.get("apiGroups")).contains("")
              && list(rule.get("resources")).contains("pods")
              && list(rule.get("verbs")).containsAll(List.of("get", "watch", "list")));
    });
    assertTrue(podsReadable, "the service account's Role grants get, watch and list on pods");
  }

  @Test
  void disruptionBudgetTakesOneNodeAtATime() {
    assertEquals(1, at(manifests.get("PodDisruptionBudget", "tally"), "spec", "maxUnavailable"));
  }

  /** The node's config under the environment the Deployment gives it. */
  static Config deploymentConfig() {
    return NodeConfig.under(deploymentEnvironment());
  }

  /** Every variable the node container gets: env (pod IP for the downward API) and envFrom ConfigMaps. */
  static Map<String, String> deploymentEnvironment() {
    Map<String, String> environment = new LinkedHashMap<>();
    for (Map<String, Object> source : maps(node.get("envFrom"))) {
      String configMap = (String) at(source, "configMapRef", "name");
      assertNotNull(configMap, "envFrom only from ConfigMaps: " + source);
      environment.putAll(strings(manifests.get("ConfigMap", configMap).get("data")));
    }
    for (Map<String, Object> variable : maps(node.get("env"))) {
      String name = (String) variable.get("name");
      if (variable.containsKey("value")) {
        environment.put(name, String.valueOf(variable.get("value")));
      } else if ("status.podIP".equals(at(variable, "valueFrom", "fieldRef", "fieldPath"))) {
        environment.put(name, POD_IP);
      } else if (at(variable, "valueFrom", "configMapKeyRef") != null) {
        Map<String, Object> ref = map(at(variable, "valueFrom", "configMapKeyRef"));
        environment.put(name, String.valueOf(at(manifests.get("ConfigMap", (String) ref.get("name")), "data", (String) ref.get("key"))));
      } else {
        throw new AssertionError("no test value for " + variable);
      }
    }
    return environment;
  }
}
