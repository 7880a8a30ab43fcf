package dev.promgate;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.promgate.admission.AdmissionReviews;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Await;
import dev.promgate.testing.FuzzSeeds;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes the AdmissionReview reader and the whole decision behind it. The registry's answer is
 * always "rejected", and no namespace is exempt, so a plain reading of the policy denies every
 * workload that runs an image. Invariant: whatever the bytes, a request is admitted only when a
 * plain reading (a different JSON reader, the pod spec paths written out here) finds no new image
 * in it. No input may crash the reader or the pipeline.
 */
class AdmissionReviewFuzzTest {

  /** Jackson's defaults, not promgate's rules: the plain reading the invariant compares with. */
  private static final ObjectMapper PLAIN = JsonMapper.builder().build();
  private static final Map<String, List<String>> POD_SPEC = Map.of(
      "/Pod", List.of("spec"),
      "/PodTemplate", List.of("template", "spec"),
      "/ReplicationController", List.of("spec", "template", "spec"),
      "apps/Deployment", List.of("spec", "template", "spec"),
      "apps/ReplicaSet", List.of("spec", "template", "spec"),
      "apps/StatefulSet", List.of("spec", "template", "spec"),
      "apps/DaemonSet", List.of("spec", "template", "spec"),
      "batch/Job", List.of("spec", "template", "spec"),
      "batch/CronJob", List.of("spec", "jobTemplate", "spec", "template", "spec"));

  private static final PolicySet POLICIES;

  static {
    TestPolicies base = TestPolicies.create();
    GateConfig g = base.gate();
    GateConfig strict = new GateConfig(Mode.ENFORCE, Optional.of("prod"), g.namespaces(), List.of(), g.registries(),
        g.cache(), g.credentials(), g.timeouts(), Set.of(), g.limits());
    POLICIES = base.gate(strict).policy("everything", "**", Map.of(), Map.of(
        "prod", TestPolicies.signedBy("prod", TestPolicies.keyAuthority("ci", TestPolicies.newEcKey())),
        "dev", TestPolicies.signedBy("dev", TestPolicies.keyAuthority("ci", TestPolicies.newEcKey())))).build();
  }

  private static final AdmissionPipeline PIPELINE = new AdmissionPipeline(() -> POLICIES,
      new ImageJudge((request, deadline) -> Future.succeededFuture(new Lookup(
          new Verdict.Rejected(List.of(new Verdict.Reason("signature", "no signature by ci")), List.of()),
          CacheSource.MISS)),
          TagResolver.NONE),
      Optional.empty(), new DecisionLog(line -> { }), Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC),
      new SimpleMeterRegistry());

  @FuzzTest(maxDuration = "30s")
  void admissionReview(byte[] body) throws Exception {
    check(body);
  }

  static Stream<Arguments> seeds() {
    return FuzzSeeds.of(List.of(Path.of("src/test/resources/bench")),
        List.of("**/admission_requests/*.json", "kubewarden-verify-image-signatures/**.json"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void seedCorpus(String name, byte[] body) throws Exception {
    check(body);
  }

  static void check(byte[] body) throws Exception {
    var parsed = AdmissionReviews.read(body);
    if (parsed.call().isEmpty()) {
      return;
    }
    for (EnvironmentResolver.Route route : List.of(new EnvironmentResolver.Named("prod"),
        new EnvironmentResolver.Unnamed())) {
      Decision d = Await.result(PIPELINE.admit(parsed.call().get(), route));
      if (d.allowed()) {
        Set<String> images = plainNewImages(body);
        assertFalse(images == null || !images.isEmpty(),
            "admitted although a plain reading finds images " + images + ": " + d.message());
      }
    }
  }

  /** The new images of a workload request as a plain reader sees them; null when it cannot tell. */
  static Set<String> plainNewImages(byte[] body) {
    JsonNode request;
    try {
      request = PLAIN.readTree(body).path("request");
    } catch (Exception e) {
      return null;
    }
    String operation = request.path("operation").asText();
    if (operation.equals("DELETE") || operation.equals("CONNECT")) {
      return Set.of();
    }
    List<String> path = POD_SPEC.get(request.path("kind").path("group").asText() + "/"
        + request.path("kind").path("kind").asText());
    if (path == null) {
      return Set.of();
    }
    Set<String> images = imagesOf(request.path("object"), path);
    if (operation.equals("UPDATE")) {
      images.removeAll(imagesOf(request.path("oldObject"), path));
    }
    return images;
  }

  private static Set<String> imagesOf(JsonNode object, List<String> path) {
    JsonNode spec = object;
    for (String field : path) {
      spec = spec.path(field);
    }
    Set<String> images = new HashSet<>();
    for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
      for (JsonNode c : spec.path(list)) {
        if (c.path("image").isTextual() && !c.path("image").asText().isEmpty()) {
          images.add(c.path("image").asText());
        }
      }
    }
    for (JsonNode v : spec.path("volumes")) {
      JsonNode ref = v.path("image").path("reference");
      if (ref.isTextual() && !ref.asText().isEmpty()) {
        images.add(ref.asText());
      }
    }
    return images;
  }
}
