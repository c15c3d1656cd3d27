package dev.tally.ops.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The objects of ops/k8s, read from the files its kustomization.yaml lists. */
final class Manifests {

  static final Path DIR = Path.of(System.getProperty("tally.k8s.dir", "."));

  final Map<String, Object> kustomization;
  /** Every object of every listed file, in order. */
  final List<Map<String, Object>> objects = new ArrayList<>();

  private Manifests() throws IOException {
    kustomization = map(loadAll(DIR.resolve("kustomization.yaml")).get(0));
    for (Object file : list(kustomization.get("resources"))) {
      for (Object object : loadAll(DIR.resolve((String) file))) {
        objects.add(map(object));
      }
    }
  }

  static Manifests load() throws IOException {
    return new Manifests();
  }

  static List<Object> loadAll(Path file) throws IOException {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Object> documents = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file)) {
      yaml.loadAll(reader).forEach(document -> {
        if (document != null) {
          documents.add(document);
        }
      });
    }
    return documents;
  }

  Map<String, Object> get(String kind, String name) {
    Map<String, Object> found = objects.stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(at(o, "metadata", "name")))
        .findFirst().orElse(null);
    assertNotNull(found, "no " + kind + " named " + name + " in the files kustomization.yaml lists");
    return found;
  }

  List<Map<String, Object>> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  // Navigation in parsed YAML: maps by key.

  static Object at(Object root, String... keys) {
    Object current = root;
    for (String key : keys) {
      current = current == null ? null : map(current).get(key);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    return value == null ? List.of() : (List<Object>) value;
  }

  static List<Map<String, Object>> maps(Object value) {
    return list(value).stream().map(Manifests::map).toList();
  }

  static Map<String, String> strings(Object value) {
    Map<String, String> result = new LinkedHashMap<>();
    map(value).forEach((key, v) -> result.put(key, String.valueOf(v)));
    return result;
  }

  /** The one container of a pod template. */
  static Map<String, Object> container(Map<String, Object> workload) {
    List<Map<String, Object>> containers = maps(at(workload, "spec", "template", "spec", "containers"));
    assertEquals(1, containers.size(), "one container per pod");
    return containers.get(0);
  }

  /** name to containerPort of a container. */
  static Map<String, Integer> ports(Map<String, Object> container) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    maps(container.get("ports")).forEach(p -> ports.put((String) p.get("name"), (Integer) p.get("containerPort")));
    return ports;
  }
}
