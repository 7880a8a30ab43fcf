package dev.promgate.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.AdmissionPipeline;
import dev.promgate.Server;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.decision.Outcome;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.manifests.ApiServerMatching.Namespace;
import dev.promgate.manifests.ApiServerMatching.Request;
import dev.promgate.policy.GateConfig;
import dev.promgate.json.Mappers;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Await;
import dev.promgate.testing.Kubectl;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The manifests as a cluster takes them: each overlay rendered by {@code kubectl kustomize}, the
 * rendered webhook configuration matched against requests the way the API server matches them,
 * and what reaches promgate decided by the shipped policies.
 */
class InstalledClusterTest {

  private static final ObjectMapper YAML = Mappers.YAML;
  private static final Pattern PINNED = Pattern.compile("[^@\\s]+@sha256:[0-9a-f]{64}");
  private static final List<String> ENVIRONMENTS = List.of("dev", "preprod", "prod");

  private static final Request CREATE_POD = Request.of("", "v1", "pods", "CREATE");

  @TempDir
  Path dir;

  // ---- what each overlay renders --------------------------------------------------------------

  @Test
  void theEnforcingInstallFailsClosedAndRunsAPinnedImage() throws IOException {
    List<JsonNode> objects = render("manifests");
    JsonNode webhooks = only(objects, "ValidatingWebhookConfiguration").path("webhooks");
    assertEquals(ENVIRONMENTS.size() + 1, webhooks.size(), "one webhook per environment plus unknown-environment");
    webhooks.forEach(w -> assertEquals("Fail", w.path("failurePolicy").asText(), w.path("name").asText()));
    JsonNode container = deploymentContainer(objects);
    assertFalse(container.path("args").toString().contains("--mode"), "enforce: the policies' modes apply");
    assertPinned(container.path("image").asText());
    assertNoLatest(objects);
    assertEquals(1, count(objects, "ConfigMap"));
  }

  @Test
  void theDeploymentFitsAOneNodeClusterAndRespectsItsMemoryLimit() throws IOException {
    JsonNode deployment = only(render("manifests"), "Deployment");
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    assertEquals(2, deployment.path("spec").path("replicas").asInt());
    assertTrue(pod.path("priorityClassName").isMissingNode(), "no system-cluster-critical unless the operator asks");
    JsonNode antiAffinity = pod.path("affinity").path("podAntiAffinity");
    assertTrue(antiAffinity.path("requiredDuringSchedulingIgnoredDuringExecution").isMissingNode(),
        "a required anti-affinity leaves the second replica pending on a one-node cluster");
    assertEquals("kubernetes.io/hostname", antiAffinity.at(
        "/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/topologyKey").asText());
    List<String> spread = new ArrayList<>();
    pod.path("topologySpreadConstraints").forEach(c -> {
      assertEquals("ScheduleAnyway", c.path("whenUnsatisfiable").asText(), c.toString());
      spread.add(c.path("topologyKey").asText());
    });
    assertTrue(spread.contains("kubernetes.io/hostname"), spread.toString());
    JsonNode container = deploymentContainer(List.of(deployment));
    assertTrue(container.path("env").toString().contains("-XX:MaxRAMPercentage="), container.path("env").toString());
    JsonNode resources = container.path("resources");
    assertTrue(resources.at("/requests/cpu").isTextual() && resources.at("/requests/memory").isTextual()
        && resources.at("/limits/memory").isTextual(), resources.toString());
    String containerfile = Files.readString(Path.of("manifests/Containerfile"));
    assertTrue(Pattern.compile("(?m)^FROM [^\\s]+@sha256:[0-9a-f]{64}$").matcher(containerfile).find(),
        "the base image is pinned by digest");
    assertTrue(containerfile.contains("-XX:MaxRAMPercentage="), "the image alone respects a memory limit too");
  }

  @Test
  void theAuditOverlayIsHarmlessWhenPromgateIsDownAndAuditsWhenItIsUp() throws IOException {
    List<JsonNode> objects = render("manifests/overlays/audit");
    JsonNode webhooks = only(objects, "ValidatingWebhookConfiguration").path("webhooks");
    assertEquals(ENVIRONMENTS.size() + 1, webhooks.size());
    webhooks.forEach(w -> assertEquals("Ignore", w.path("failurePolicy").asText(), w.path("name").asText()));
    JsonNode container = deploymentContainer(objects);
    assertTrue(container.path("args").toString().contains("\"--mode=audit\""), container.toString());
    assertPinned(container.path("image").asText());
    assertNoLatest(objects);
  }

  @Test
  void withoutCertManagerTheWebhookConfigurationComesFromTheCaBundleCommand() throws IOException {
    List<JsonNode> objects = render("manifests/overlays/without-cert-manager");
    assertEquals(0, count(objects, "ValidatingWebhookConfiguration"));
    assertTrue(objects.stream().noneMatch(o -> o.path("apiVersion").asText().startsWith("cert-manager.io/")));
    assertPinned(deploymentContainer(objects).path("image").asText());
    assertNoLatest(objects);
  }

  @Test
  void theCommittedWebhookConfigurationsAreWhatManifestsWebhookPrints() throws IOException {
    PolicySet shipped = load(Path.of("policies"));
    WebhookConfiguration.Target target = WebhookConfiguration.Target.defaults();
    String regenerate = "regenerate with: java -jar target/promgate.jar manifests webhook --policies policies";
    assertEquals(WebhookConfiguration.yaml(shipped, target), Files.readString(Path.of("manifests/webhook.yaml")),
        "manifests/webhook.yaml is stale; " + regenerate + " > manifests/webhook.yaml");
    assertEquals(WebhookConfiguration.yaml(shipped, target.withFailurePolicy(WebhookConfiguration.FailurePolicy.Ignore)),
        Files.readString(Path.of("manifests/overlays/audit/webhook.yaml")),
        "manifests/overlays/audit/webhook.yaml is stale; " + regenerate
            + " --failure-policy Ignore > manifests/overlays/audit/webhook.yaml");
  }

  // ---- which requests the API server sends to promgate ----------------------------------------

  @Test
  void outOfTheBoxOnlyLabelledNamespacesAreGated() throws IOException {
    JsonNode config = only(render("manifests"), "ValidatingWebhookConfiguration");
    for (String thirdParty : List.of("cert-manager", "ingress-nginx", "default", "monitoring")) {
      for (Request r : List.of(CREATE_POD, Request.of("apps", "v1", "deployments", "CREATE"),
          Request.of("apps", "v1", "daemonsets", "UPDATE"))) {
        assertEquals(List.of(), names(ApiServerMatching.matching(config, Namespace.unlabelled(thirdParty), r)),
            thirdParty + " is not labelled, so the API server never asks promgate about " + r);
      }
    }
    for (String system : List.of("kube-system", "promgate-system")) {
      assertEquals(List.of(), names(ApiServerMatching.matching(config, Namespace.labelled(system, "prod"), CREATE_POD)),
          system + " is never gated, even when labelled");
    }
    for (String env : ENVIRONMENTS) {
      List<JsonNode> called = ApiServerMatching.matching(config, Namespace.labelled("shop-" + env, env), CREATE_POD);
      assertEquals(List.of(env + ".promgate.dev"), names(called));
      assertEquals("/validate/" + env, called.get(0).path("clientConfig").path("service").path("path").asText());
    }
    assertEquals(List.of("unknown-environment.promgate.dev"),
        names(ApiServerMatching.matching(config, Namespace.labelled("shop", "prdo"), CREATE_POD)),
        "a typo in the label must not switch promgate off");
  }

  @Test
  void theRulesCoverEveryWayToStartAContainerAndNothingElse() throws IOException {
    JsonNode config = only(render("manifests"), "ValidatingWebhookConfiguration");
    Namespace prod = Namespace.labelled("shop-prod", "prod");
    for (Request r : List.of(CREATE_POD, Request.of("", "v1", "pods", "UPDATE"),
        Request.of("", "v1", "pods/ephemeralcontainers", "UPDATE"),
        Request.of("", "v1", "replicationcontrollers", "CREATE"), Request.of("", "v1", "podtemplates", "CREATE"),
        Request.of("apps", "v1", "deployments", "UPDATE"), Request.of("apps", "v1", "replicasets", "CREATE"),
        Request.of("apps", "v1", "statefulsets", "CREATE"), Request.of("apps", "v1", "daemonsets", "CREATE"),
        Request.of("batch", "v1", "jobs", "CREATE"), Request.of("batch", "v1", "cronjobs", "CREATE"))) {
      assertEquals(List.of("prod.promgate.dev"), names(ApiServerMatching.matching(config, prod, r)), r.toString());
    }
    for (Request r : List.of(Request.of("", "v1", "pods", "DELETE"), Request.of("", "v1", "pods/status", "UPDATE"),
        Request.of("", "v1", "pods/exec", "CONNECT"), Request.of("", "v1", "configmaps", "CREATE"),
        Request.of("apps", "v1", "deployments/scale", "UPDATE"), Request.of("", "v1", "secrets", "CREATE"))) {
      assertEquals(List.of(), names(ApiServerMatching.matching(config, prod, r)), r + " runs no new image");
    }
  }

  @Test
  void promgatesOwnNamespaceFollowsWhereItIsInstalled() {
    PolicySet shipped = load(Path.of("policies"));
    WebhookConfiguration.Target elsewhere = new WebhookConfiguration.Target("security-tools", "promgate",
        Optional.empty(), Optional.of("security-tools/promgate-serving"), WebhookConfiguration.FailurePolicy.Fail);
    JsonNode config = parse(WebhookConfiguration.yaml(shipped, elsewhere));
    assertEquals(List.of(), names(ApiServerMatching.matching(config, Namespace.labelled("security-tools", "prod"),
        CREATE_POD)), "promgate never gates the namespace it runs in, whatever it is called");
    assertEquals(List.of("prod.promgate.dev"), names(ApiServerMatching.matching(config,
        Namespace.labelled("promgate-system", "prod"), CREATE_POD)), "promgate-system is nothing special any more");
    config.path("webhooks").forEach(w ->
        assertEquals("security-tools", w.path("clientConfig").path("service").path("namespace").asText()));
    assertEquals("security-tools/promgate-serving",
        config.path("metadata").path("annotations").path("cert-manager.io/inject-ca-from").asText());
  }

  @Test
  void unlabelledNamespacesGateAddsTheCatchAllAndSaysSo() {
    PolicySet shipped = load(Path.of("policies"));
    PolicySet widened = new PolicySet(1, shipped.loadedAt(),
        shipped.gate().withUnlabelledNamespaces(GateConfig.UnlabelledNamespaces.GATE), shipped.policies());
    String yaml = WebhookConfiguration.yaml(widened, WebhookConfiguration.Target.defaults());
    assertTrue(yaml.contains("# Namespaces without the label: gated too (GateConfig spec.unlabelledNamespaces: gate)"),
        yaml);
    JsonNode config = parse(yaml);
    List<JsonNode> called = ApiServerMatching.matching(config, Namespace.unlabelled("cert-manager"), CREATE_POD);
    assertEquals(List.of("default.promgate.dev"), names(called));
    assertEquals("/validate", called.get(0).path("clientConfig").path("service").path("path").asText());
    assertEquals(List.of(), names(ApiServerMatching.matching(config, Namespace.unlabelled("kube-system"), CREATE_POD)));
    assertTrue(WebhookConfiguration.yaml(shipped, WebhookConfiguration.Target.defaults())
        .contains("# Namespaces without the label: not gated (GateConfig spec.unlabelledNamespaces: ignore"));
  }

  // ---- what promgate answers to what reaches it -----------------------------------------------

  @Test
  void theShippedPoliciesDecideTheRequestsTheApiServerSends() throws Exception {
    JsonNode config = only(render("manifests"), "ValidatingWebhookConfiguration");
    try (LocalRegistry registry = LocalRegistry.start()) {
      String unsigned = new TestImages(registry).pushImage("shop/web", "1.0").pinned().toString();
      PolicySet policies = load(shippedPoliciesOn(registry));
      Vertx vertx = Vertx.vertx();
      try {
        AdmissionPipeline pipeline = Server.offlinePipeline(vertx, policies, Optional.empty(),
            new DecisionLog(line -> { }), Clock.systemUTC(), new SimpleMeterRegistry());

        // Third-party pods in unlabelled namespaces never reach promgate: the API server admits them.
        for (String[] thirdParty : List.of(
            new String[] {"cert-manager", "quay.io/jetstack/cert-manager-controller:v1.16.2"},
            new String[] {"ingress-nginx", "registry.k8s.io/ingress-nginx/controller:v1.12.0"},
            new String[] {"kube-system", "registry.k8s.io/metrics-server/metrics-server:v0.7.2"})) {
          assertEquals(Optional.empty(), decide(config, pipeline, Namespace.unlabelled(thirdParty[0]), thirdParty[1]),
              thirdParty[1] + " in " + thirdParty[0]);
        }

        Decision prod = decide(config, pipeline, Namespace.labelled("shop-prod", "prod"), unsigned).orElseThrow();
        assertFalse(prod.allowed(), prod.toString());
        assertTrue(prod.message().contains("environment prod") && prod.message().contains("ci"), prod.message());

        Decision inDev = decide(config, pipeline, Namespace.labelled("shop-dev", "dev"), unsigned).orElseThrow();
        assertTrue(inDev.allowed(), "dev audits: " + inDev);
        assertEquals(Outcome.AUDIT_DENY, inDev.outcome());
        assertFalse(inDev.warnings().isEmpty());

        Decision typo = decide(config, pipeline, Namespace.labelled("shop", "prdo"), unsigned).orElseThrow();
        assertFalse(typo.allowed());
        assertTrue(typo.message().contains("configuration error"), typo.message());

        // Widened to unlabelled namespaces: a third-party image in one is judged in the default
        // environment (dev), whose audit mode holds for images no policy matches too.
        PolicySet widened = new PolicySet(1, policies.loadedAt(),
            policies.gate().withUnlabelledNamespaces(GateConfig.UnlabelledNamespaces.GATE), policies.policies());
        JsonNode wide = parse(WebhookConfiguration.yaml(widened, WebhookConfiguration.Target.defaults()));
        Decision certManager = decide(wide, pipeline, Namespace.unlabelled("cert-manager"),
            "quay.io/jetstack/cert-manager-controller:v1.16.2").orElseThrow();
        assertTrue(certManager.allowed(), certManager.toString());
        assertEquals("dev", certManager.environment());
        assertFalse(certManager.warnings().isEmpty());
        assertTrue(certManager.images().get(0).judgement().problems().stream().anyMatch(p -> p.contains(
            "matches no PromotionPolicy (repository quay.io/jetstack/cert-manager-controller; globs tried: "
                + "registry.acme.example/shop/** (policy shop), " + registry.host() + "/shop/** (policy shop))")),
            certManager.images().toString());
      } finally {
        Await.result(vertx.close());
      }
    }
  }

  /** What the cluster answers: empty when no webhook is called (the API server admits), else promgate's decision. */
  private static Optional<Decision> decide(JsonNode config, AdmissionPipeline pipeline, Namespace namespace,
                                           String image) throws Exception {
    List<JsonNode> called = ApiServerMatching.matching(config, namespace, CREATE_POD);
    if (called.isEmpty()) {
      return Optional.empty();
    }
    assertEquals(1, called.size(), "at most one promgate webhook per request: " + names(called));
    String path = called.get(0).path("clientConfig").path("service").path("path").asText();
    EnvironmentResolver.Route route = path.equals("/validate") ? new EnvironmentResolver.Unnamed()
        : path.equals(WebhookConfiguration.UNKNOWN_ENVIRONMENT_PATH) ? new EnvironmentResolver.UnknownLabel()
        : new EnvironmentResolver.Named(path.substring("/validate/".length()));
    ObjectNode review = Reviews.pod(namespace.name(), image);
    return Optional.of(Await.result(pipeline.admit(Reviews.call(review), route)));
  }

  /** The shipped policy directory with its local-registry entry pointed at {@code registry}. */
  private Path shippedPoliciesOn(LocalRegistry registry) throws IOException {
    Path copy = Files.createDirectories(dir.resolve("policies"));
    try (Stream<Path> files = Files.list(Path.of("policies"))) {
      for (Path f : files.toList()) {
        Files.writeString(copy.resolve(f.getFileName()), Files.readString(f).replace("127.0.0.1:5000", registry.host()));
      }
    }
    return copy;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static List<JsonNode> render(String directory) throws IOException {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(Kubectl.kustomize(Path.of(directory)))) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && doc.isObject()) {
          objects.add(doc);
        }
      }
    }
    assertFalse(objects.isEmpty(), "kubectl kustomize " + directory + " rendered nothing");
    return objects;
  }

  private static JsonNode parse(String yaml) {
    return YAML.readTree(yaml);
  }

  private static PolicySet load(Path directory) {
    PolicyLoadResult loaded = PolicyLoader.load(directory);
    if (loaded instanceof PolicyLoadResult.Failed failed) {
      throw new AssertionError(failed.problems().toString());
    }
    return ((PolicyLoadResult.Loaded) loaded).policies();
  }

  private static JsonNode only(List<JsonNode> objects, String kind) {
    List<JsonNode> found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    assertEquals(1, found.size(), "exactly one " + kind);
    return found.get(0);
  }

  private static long count(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).count();
  }

  private static JsonNode deploymentContainer(List<JsonNode> objects) {
    JsonNode containers = only(objects, "Deployment").path("spec").path("template").path("spec").path("containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static void assertPinned(String image) {
    assertTrue(PINNED.matcher(image).matches(), "the promgate image must be pinned by digest: " + image);
  }

  private static void assertNoLatest(List<JsonNode> objects) {
    for (JsonNode o : objects) {
      String text = o.toString();
      assertFalse(text.contains(":latest"), o.path("kind") + " names a :latest image");
    }
  }

  private static List<String> names(List<JsonNode> webhooks) {
    return webhooks.stream().map(w -> w.path("name").asText()).toList();
  }
}
