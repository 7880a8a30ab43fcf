package dev.promgate.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.promgate.admission.AdmissionCall;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.json.Mappers;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Fixtures;
import dev.promgate.testing.Kubectl;
import dev.promgate.testing.Reviews;
import dev.promgate.workload.ContainerImage;
import dev.promgate.workload.WorkloadImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The companion ValidatingAdmissionPolicy's CEL, evaluated with CEL-Java as the API server would
 * evaluate it (its variables in order, then the validation and its message), against the same
 * AdmissionReviews the webhook's tag rule is tested with: both must flag exactly the same images.
 */
class AdmissionPolicyCelTest {

  private static final ObjectMapper YAML = Mappers.YAML;
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  /** Standard CEL and the strings extension (join), as Kubernetes enables; object and friends are dynamic. */
  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setOptions(CelOptions.current().enableHeterogeneousNumericComparisons(true).build())
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addCompilerLibraries(CelExtensions.strings())
      .addRuntimeLibraries(CelExtensions.strings())
      .addVar("object", SimpleType.DYN)
      .addVar("oldObject", SimpleType.DYN)
      .addVar("request", SimpleType.DYN)
      .addVar("variables", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .build();

  @TempDir
  Path dir;

  /** What the policy says about one review: the unpinned images, and the message when it denies. */
  record Outcome(List<String> unpinned, boolean allowed, String message) {}

  static Outcome evaluate(JsonNode review) throws Exception {
    JsonNode request = review.path("request");
    Map<String, Object> activation = new HashMap<>();
    activation.put("object", plain(request.path("object")));
    activation.put("oldObject", plain(request.path("oldObject")));
    activation.put("request", plain(request));
    Map<String, Object> variables = new LinkedHashMap<>();
    activation.put("variables", variables);
    for (Map.Entry<String, String> v : AdmissionPolicy.variables().entrySet()) {
      variables.put(v.getKey(), program(v.getValue()).eval(activation));
    }
    boolean allowed = (Boolean) program(AdmissionPolicy.VALIDATION).eval(activation);
    String message = allowed ? "" : (String) program(AdmissionPolicy.MESSAGE).eval(activation);
    List<String> unpinned = new ArrayList<>();
    ((List<?>) variables.get("unpinned")).forEach(i -> unpinned.add((String) i));
    return new Outcome(unpinned, allowed, message);
  }

  private static CelRuntime.Program program(String expression) throws Exception {
    return CEL.createProgram(CEL.compile(expression).getAst());
  }

  /** JSON as CEL sees Kubernetes objects: maps, lists, strings, int64, double, bool, null. */
  private static Object plain(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(e -> list.add(plain(e)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  /** The webhook's tag rule: the images it judges (on UPDATE only new ones) that carry no digest. */
  static List<String> tagRule(JsonNode review) {
    AdmissionCall call = Reviews.call((ObjectNode) review);
    WorkloadImages.Extraction extraction = WorkloadImages.of(call);
    if (!(extraction instanceof WorkloadImages.Images images)) {
      return List.of();
    }
    List<String> unpinned = new ArrayList<>();
    for (ContainerImage c : images.images()) {
      boolean pinned;
      try {
        pinned = ImageReference.parse(c.image()).isPinned();
      } catch (InvalidReferenceException e) {
        pinned = false;
      }
      if (!pinned) {
        unpinned.add(c.image());
      }
    }
    return unpinned;
  }

  private static void agree(String name, JsonNode review) throws Exception {
    Outcome cel = evaluate(review);
    assertEquals(new TreeSet<>(tagRule(review)), new TreeSet<>(cel.unpinned()), name);
    assertEquals(cel.unpinned().isEmpty(), cel.allowed(), name);
    if (!cel.allowed()) {
      assertTrue(cel.message().startsWith("promgate: images must be referenced by digest"), cel.message());
      cel.unpinned().forEach(i -> assertTrue(cel.message().contains(i), cel.message()));
    }
  }

  // ---- the shared fixtures ----------------------------------------------------------------------

  @Test
  void kubewardenReviewsAgreeWithTheWebhooksTagRule() throws Exception {
    int denied = 0;
    try (Stream<Path> files = Files.list(Fixtures.path("kubewarden-verify-image-signatures"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode review = Reviews.kubewarden(f.getFileName().toString());
        agree(f.getFileName().toString(), review);
        denied += evaluate(review).allowed() ? 0 : 1;
      }
    }
    assertTrue(denied >= 10, "most kubewarden reviews use tags: " + denied);
  }

  @Test
  void connaisseurReviewsAgreeWithTheWebhooksTagRule() throws Exception {
    int judged = 0;
    try (Stream<Path> files = Files.list(Fixtures.path("connaisseur", "admission_requests"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode raw = Reviews.JSON.readTree(f.toFile());
        if (!raw.isObject()) {
          continue;
        }
        ObjectNode review = Reviews.connaisseurAsV1(f.getFileName().toString());
        if (!review.path("request").path("object").isObject() || !readable(review)
            || !(WorkloadImages.of(Reviews.call(review)) instanceof WorkloadImages.Images)) {
          continue;   // broken on purpose, not a workload, or a DELETE: nothing the tag rule judges
        }
        agree(f.getFileName().toString(), review);
        judged++;
      }
    }
    assertTrue(judged >= 15, "judged " + judged);
    Outcome update = evaluate(Reviews.connaisseurAsV1("10_update.json"));
    assertTrue(update.allowed(), "an UPDATE that adds no image passes, whatever the old images: " + update);
    Outcome ephemeral = evaluate(Reviews.connaisseurAsV1("20_pod_ephemeralcontainer.json"));
    assertEquals(tagRule(Reviews.connaisseurAsV1("20_pod_ephemeralcontainer.json")), ephemeral.unpinned());
  }

  private static boolean readable(ObjectNode review) {
    try {
      Reviews.call(review);
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  // ---- what the fixtures do not cover -------------------------------------------------------------

  @Test
  void everyWayToNameAnImageIsChecked() throws Exception {
    ObjectNode pod = (ObjectNode) Reviews.JSON.readTree("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{
          "initContainers":[{"name":"init","image":"registry.acme.example/init:1"}],
          "containers":[{"name":"web","image":"registry.acme.example/web@%1$s"},
                        {"name":"side","image":"registry.acme.example/side:2@%1$s"},
                        {"name":"bare","image":"nginx"}],
          "ephemeralContainers":[{"name":"debug","image":"busybox:latest"}],
          "volumes":[{"name":"models","image":{"reference":"registry.acme.example/models:v3"}},
                     {"name":"pinned-models","image":{"reference":"registry.acme.example/models@%1$s"}},
                     {"name":"data","emptyDir":{}}]}}
        """.formatted(DIGEST));
    JsonNode review = Reviews.review("", "v1", "Pod", "shop", "CREATE", pod, null);
    agree("pod", review);
    assertEquals(List.of("nginx", "registry.acme.example/init:1", "busybox:latest", "registry.acme.example/models:v3"),
        evaluate(review).unpinned());
  }

  @Test
  void everyWorkloadKindsPodTemplateIsChecked() throws Exception {
    String spec = "{\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}]}";
    Map<String, String> objects = Map.of(
        "Deployment", "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
            + "\"spec\":{\"template\":{\"spec\":" + spec + "}}}",
        "CronJob", "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"c\"},\"spec\":"
            + "{\"schedule\":\"* * * * *\",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":" + spec + "}}}}}",
        "PodTemplate", "{\"apiVersion\":\"v1\",\"kind\":\"PodTemplate\",\"metadata\":{\"name\":\"t\"},"
            + "\"template\":{\"spec\":" + spec + "}}",
        "ReplicationController", "{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":{\"name\":\"r\"},"
            + "\"spec\":{}}");
    for (Map.Entry<String, String> e : objects.entrySet()) {
      ObjectNode object = (ObjectNode) Reviews.JSON.readTree(e.getValue());
      String group = object.path("apiVersion").asText().contains("/") ? object.path("apiVersion").asText().split("/")[0] : "";
      JsonNode review = Reviews.review(group, "v1", e.getKey(), "shop", "CREATE", object, null);
      agree(e.getKey(), review);
      assertEquals(e.getKey().equals("ReplicationController") ? List.of() : List.of("web:1"), evaluate(review).unpinned(),
          e.getKey());
    }
  }

  @Test
  void onUpdateOnlyNewImagesCount() throws Exception {
    ObjectNode old = (ObjectNode) Reviews.deployment("shop", "web:1").path("request").path("object");
    ObjectNode unchanged = old.deepCopy();
    ((ObjectNode) unchanged.path("spec")).put("replicas", 5);
    JsonNode scale = Reviews.review("apps", "v1", "Deployment", "shop", "UPDATE", unchanged, old);
    agree("scale", scale);
    assertTrue(evaluate(scale).allowed(), "a workload that predates promgate keeps working");

    ObjectNode changed = (ObjectNode) Reviews.deployment("shop", "web:2").path("request").path("object");
    JsonNode bump = Reviews.review("apps", "v1", "Deployment", "shop", "UPDATE", changed, old);
    agree("bump", bump);
    assertEquals(List.of("web:2"), evaluate(bump).unpinned());
  }

  // ---- what is shipped ----------------------------------------------------------------------------

  @Test
  void theShippedComponentIsWhatManifestsAdmissionPolicyPrints() throws Exception {
    PolicySet shipped = ((PolicyLoadResult.Loaded) PolicyLoader.load(Path.of("policies"))).policies();
    String generated = AdmissionPolicy.yaml(shipped, WebhookConfiguration.Target.defaults());
    assertEquals(generated, Files.readString(Path.of("manifests/components/admission-policy/admission-policy.yaml")),
        "stale; regenerate with: java -jar target/promgate.jar manifests admission-policy --policies policies "
            + "> manifests/components/admission-policy/admission-policy.yaml");
    List<JsonNode> docs = new ArrayList<>();
    YAML.readerFor(JsonNode.class).readValues(generated).forEachRemaining(d -> docs.add((JsonNode) d));
    JsonNode policy = docs.get(0);
    JsonNode binding = docs.get(1);
    assertEquals("ValidatingAdmissionPolicy", policy.path("kind").asText());
    assertEquals("admissionregistration.k8s.io/v1", policy.path("apiVersion").asText());
    Map<String, String> shippedVariables = new LinkedHashMap<>();
    policy.path("spec").path("variables").forEach(v -> shippedVariables.put(v.path("name").asText(),
        v.path("expression").asText()));
    assertEquals(AdmissionPolicy.variables(), shippedVariables, "the YAML carries exactly the CEL tested here");
    assertEquals(AdmissionPolicy.MESSAGE, policy.at("/spec/validations/0/messageExpression").asText());
    assertEquals("[\"Deny\"]", binding.at("/spec/validationActions").toString());

    // The binding selects the namespaces the webhook gates, as the API server matches them.
    JsonNode selector = binding.at("/spec/matchResources/namespaceSelector");
    for (String env : List.of("dev", "preprod", "prod", "prdo")) {
      assertTrue(ApiServerMatching.selectorMatches(selector,
          ApiServerMatching.Namespace.labelled("shop", env).effectiveLabels()), env);
    }
    for (ApiServerMatching.Namespace ns : List.of(ApiServerMatching.Namespace.unlabelled("cert-manager"),
        ApiServerMatching.Namespace.labelled("kube-system", "prod"),
        ApiServerMatching.Namespace.labelled("promgate-system", "prod"))) {
      assertFalse(ApiServerMatching.selectorMatches(selector, ns.effectiveLabels()), ns.toString());
    }
    JsonNode webhook = YAML.readTree(Files.readString(Path.of("manifests/webhook.yaml")));
    assertEquals(webhook.at("/webhooks/0/rules").toString().replace("\"operations\"", "\"ops\""),
        policy.at("/spec/matchConstraints/resourceRules").toString().replace("\"operations\"", "\"ops\""),
        "the policy matches exactly the requests the webhook does");
  }

  @Test
  void theComponentRendersWithEitherInstall() throws Exception {
    Path repository = Path.of("").toAbsolutePath();
    for (String install : List.of("manifests", "manifests/overlays/audit")) {
      Path overlay = Files.createDirectories(dir.resolve(install.replace('/', '-')));
      Files.writeString(overlay.resolve("kustomization.yaml"), """
          apiVersion: kustomize.config.k8s.io/v1beta1
          kind: Kustomization
          resources:
            - %s
          components:
            - %s
          """.formatted(overlay.relativize(repository.resolve(install)),
              overlay.relativize(repository.resolve("manifests/components/admission-policy"))));
      String rendered = Kubectl.kustomize(overlay);
      assertTrue(rendered.contains("kind: ValidatingAdmissionPolicy\n"), install);
      assertTrue(rendered.contains("kind: ValidatingAdmissionPolicyBinding\n"), install);
      assertTrue(rendered.contains("kind: ValidatingWebhookConfiguration\n"), install);
    }
  }
}
