package dev.promgate.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.json.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** What is committed under policies/ agrees with what the manifests package (see also InstalledClusterTest). */
class ShippedManifestsTest {

  private static final ObjectMapper YAML = Mappers.YAML;

  @Test
  void thePoliciesKustomizationListsExactlyThePolicyDirectory() throws IOException {
    JsonNode kustomization = YAML.readTree(Path.of("policies", "kustomization.yaml").toFile());
    Set<String> listed = new TreeSet<>();
    kustomization.path("configMapGenerator").path(0).path("files").forEach(f -> listed.add(f.asText()));
    Set<String> present = new TreeSet<>();
    try (Stream<Path> files = Files.list(Path.of("policies"))) {
      files.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith(".") && !n.equals("kustomization.yaml") && !n.equals("README.md"))
          .forEach(present::add);
    }
    assertEquals(present, listed, "policies/kustomization.yaml must list every policy, key and trust file");
  }
}
