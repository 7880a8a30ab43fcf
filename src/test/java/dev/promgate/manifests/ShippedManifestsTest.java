package dev.promgate.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.json.Mappers;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** What is committed under manifests/ and policies/ agrees with what promgate generates and reads. */
class ShippedManifestsTest {

  private static final ObjectMapper YAML = Mappers.YAML;

  @Test
  void theWebhookConfigurationIsWhatManifestsWebhookPrintsForThePolicies() throws IOException {
    PolicyLoadResult loaded = PolicyLoader.load(Path.of("policies"));
    var set = ((PolicyLoadResult.Loaded) loaded).policies();
    String generated = WebhookConfiguration.yaml(set, WebhookConfiguration.Target.defaults());
    String committed = Files.readString(Path.of("manifests", "base", "webhook.yaml"));
    assertEquals(generated, committed, "manifests/base/webhook.yaml is stale; regenerate it with: "
        + "java -jar target/promgate.jar manifests webhook --policies policies > manifests/base/webhook.yaml");
  }

  @Test
  void theWebhookConfigurationHasOneWebhookPerEnvironmentAndTheCatchAlls() throws IOException {
    JsonNode config = YAML.readTree(Path.of("manifests", "base", "webhook.yaml").toFile());
    List<String> names = new ArrayList<>();
    config.path("webhooks").forEach(w -> {
      names.add(w.path("name").asText());
      assertEquals("Fail", w.path("failurePolicy").asText());
      assertEquals("None", w.path("sideEffects").asText());
      assertEquals(10, w.path("timeoutSeconds").asInt());
      assertEquals("v1", w.path("admissionReviewVersions").path(0).asText());
    });
    assertEquals(List.of("dev.promgate.dev", "preprod.promgate.dev", "prod.promgate.dev", "default.promgate.dev",
        "unknown-environment.promgate.dev"), names);
    assertEquals("/validate/prod", config.path("webhooks").path(2).path("clientConfig").path("service").path("path").asText());
  }

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

  @Test
  void kustomizeRendersTheBaseAndTheAuditOverlay() throws Exception {
    String base = kustomize("manifests");
    for (String kind : List.of("Namespace", "ServiceAccount", "Deployment", "Service", "PodDisruptionBudget",
        "ValidatingWebhookConfiguration", "ConfigMap", "Certificate")) {
      assertTrue(base.contains("\nkind: " + kind + "\n"), kind + " missing from kubectl kustomize manifests");
    }
    assertTrue(base.contains("name: promgate-policies"));
    String audit = kustomize("manifests/overlays/audit");
    assertTrue(audit.contains("- --mode=audit"), "the audit overlay runs serve --mode=audit");
    assertTrue(!base.contains("--mode=audit"));
    String plain = kustomize("manifests/overlays/without-cert-manager");
    assertTrue(!plain.contains("cert-manager.io/v1") && !plain.contains("kind: ValidatingWebhookConfiguration"),
        "without cert-manager: no cert-manager kinds, and the webhook configuration comes with --ca-bundle");
    assertTrue(plain.contains("secretName: promgate-tls"), plain);
  }

  private static String kustomize(String dir) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("kubectl", "kustomize", dir).redirectErrorStream(true).start();
    } catch (IOException e) {
      System.err.println("SKIPPED: kubectl is not installed, so kustomize rendering is not checked");
      Assumptions.abort("kubectl not installed");
      return "";
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
