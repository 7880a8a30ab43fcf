package dev.promgate.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Fixtures;
import dev.promgate.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class AdmissionReviewsTest {

  static Stream<Path> connaisseurReviews() throws Exception {
    try (Stream<Path> files = Files.list(Fixtures.path("connaisseur", "admission_requests"))) {
      return files.sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("connaisseurReviews")
  void everyConnaisseurReviewIsEitherReadOrRefusedWithOneLine(Path file) throws Exception {
    JsonNode raw = Reviews.JSON.readTree(file.toFile());
    var parsed = AdmissionReviews.read(Files.readAllBytes(file));
    assertTrue(parsed.call().isPresent() ^ parsed.bad().isPresent());
    if (raw.isNull()) {
      assertEquals("the body is JSON null, not an AdmissionReview", parsed.bad().orElseThrow().reason());
    } else if (raw.path("apiVersion").asText().equals("admission.k8s.io/v1beta1")) {
      assertTrue(parsed.bad().orElseThrow().reason().startsWith("apiVersion \"admission.k8s.io/v1beta1\" is not supported"),
          parsed.bad().toString());
    } else if (!raw.path("request").has("uid")) {
      assertEquals("request.uid is missing", parsed.bad().orElseThrow().reason());
    } else {
      AdmissionCall call = parsed.call().orElseThrow(() -> new AssertionError(parsed.bad()));
      assertEquals(raw.path("request").path("uid").asText(), call.uid());
      assertEquals(raw.path("request").path("operation").asText(), call.operation());
    }
    parsed.bad().ifPresent(b -> assertFalse(b.reason().contains("\n"), b.reason()));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "{", "{\"apiVersion\":", "[]", "\"text\"", "42", "{\"kind\":\"AdmissionReview\"}",
      "{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\",\"request\":{}}",
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":null}",
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}}",
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\"}}",
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":[1,2]}}",
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"apiVersion\":\"x\"}",
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\",\"kind\":\"Pod\"}}",
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\",\"dryRun\":\"maybe\",\"kind\":{\"kind\":\"Pod\"}}}",
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":\"text\"}",
      "\u0000\u0001binary",
  })
  void malformedReviewsAreRefusedWithAOneLineReason(String body) {
    var parsed = AdmissionReviews.read(body.getBytes(StandardCharsets.UTF_8));
    assertTrue(parsed.bad().isPresent(), () -> "accepted: " + body);
    String reason = parsed.bad().get().reason();
    assertFalse(reason.isBlank());
    assertFalse(reason.contains("\n"), reason);
    assertFalse(reason.contains("io.fabric8"), "leaks class names: " + reason);
  }

  @Test
  void responseEchoesUidAndCarriesStatusWarningsAndAnnotations() throws Exception {
    byte[] bytes = AdmissionReviews.write("uid-1", false, 403, "denied because", List.of("w1"),
        Map.of("decision", "deny"));
    JsonNode review = Reviews.JSON.readTree(bytes);
    assertEquals("admission.k8s.io/v1", review.path("apiVersion").asText());
    assertEquals("AdmissionReview", review.path("kind").asText());
    JsonNode response = review.path("response");
    assertEquals("uid-1", response.path("uid").asText());
    assertFalse(response.path("allowed").asBoolean(true));
    assertEquals(403, response.path("status").path("code").asInt());
    assertEquals("denied because", response.path("status").path("message").asText());
    assertEquals("w1", response.path("warnings").path(0).asText());
    assertEquals("deny", response.path("auditAnnotations").path("decision").asText());
  }

  @Test
  void allowedResponseHasNoStatus() throws Exception {
    JsonNode response = Reviews.JSON.readTree(AdmissionReviews.write("u", true, 0, "", List.of(), Map.of()))
        .path("response");
    assertTrue(response.path("allowed").asBoolean());
    assertTrue(response.path("status").isMissingNode() || response.path("status").isNull(), response.toString());
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> responses() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("u1", true, 0, "", List.of(), Map.of()),
        org.junit.jupiter.params.provider.Arguments.of("u2", true, 0, "", List.of("promgate (audit) x"),
            Map.of("decision", "audit-deny", "evidence", "web: signature by ci (key sha256:ab): \"q\" é\u2028")),
        org.junit.jupiter.params.provider.Arguments.of("u3", false, 403, "denied:\n\"line\"\ttab \u0001 ü 𝄞",
            List.of("w1", "w2"), Map.of("decision", "deny", "reasons", "r")),
        org.junit.jupiter.params.provider.Arguments.of("u4", false, 500, "promgate could not decide", List.of(), Map.of()));
  }

  @ParameterizedTest
  @MethodSource("responses")
  void streamedResponseIsWhatTheModelWouldWrite(String uid, boolean allowed, int code, String message,
                                                List<String> warnings, Map<String, String> annotations)
      throws Exception {
    JsonNode streamed = Reviews.JSON.readTree(AdmissionReviews.write(uid, allowed, code, message, warnings, annotations));
    JsonNode model = Reviews.JSON.readTree(AdmissionReviews.writeWithModel(uid, allowed, code, message, warnings,
        annotations));
    assertEquals(model, streamed);
  }

  private static final String ENVELOPE =
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
          + "\"operation\":\"CREATE\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},%s}}";

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "\"name\":7|request.name is not a string",
      "\"namespace\":{}|request.namespace is not a string",
      "\"userInfo\":{\"username\":[\"a\"]}|request.userInfo.username is not a string",
      "\"userInfo\":\"alice\"|request.userInfo is not an object",
      "\"dryRun\":\"true\"|request.dryRun is not a boolean",
  })
  void envelopeFieldsOfTheWrongTypeAreNamed(String field, String reason) {
    var parsed = AdmissionReviews.read(String.format(ENVELOPE, field).getBytes(StandardCharsets.UTF_8));
    assertEquals("not an AdmissionReview: " + reason, parsed.bad().orElseThrow().reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // A duplicate key or a syntax error in a part promgate leaves out is an error all the same.
      "\"options\":{\"dryRun\":[],\"dryRun\":[]}",
      "\"object\":{\"metadata\":{\"managedFields\":[{\"manager\":\"a\",\"manager\":\"b\"}]}}",
      "\"object\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[{\"name\":\"x\",}]}]}}",
      "\"userInfo\":{\"groups\":[\"a\" \"b\"]}",
  })
  void leftOutPartsAreStillCheckedAsJson(String field) {
    var parsed = AdmissionReviews.read(String.format(ENVELOPE, field).getBytes(StandardCharsets.UTF_8));
    assertTrue(parsed.bad().orElseThrow().reason().startsWith("malformed JSON"), parsed.bad().toString());
  }

  @Test
  void theObjectKeepsItsPodSpecImagesAndAnnotationsOnly() throws Exception {
    byte[] body = Files.readAllBytes(Path.of("src/test/resources/bench/pod-review.json"));
    AdmissionCall call = AdmissionReviews.read(body).call().orElseThrow();
    JsonNode full = Reviews.JSON.readTree(body).path("request").path("object");
    JsonNode kept = call.object().orElseThrow();
    // What the workload step reads is all there, as it was in the review…
    JsonNode spec = full.path("spec");
    for (String list : List.of("initContainers", "containers")) {
      for (int i = 0; i < spec.path(list).size(); i++) {
        assertEquals(spec.path(list).get(i).path("image"), kept.path("spec").path(list).get(i).path("image"));
        assertEquals(spec.path(list).get(i).path("name"), kept.path("spec").path(list).get(i).path("name"));
        assertEquals(List.of("image", "name"), fieldNames(kept.path("spec").path(list).get(i)));
      }
    }
    assertEquals(full.path("metadata").path("annotations"), kept.path("metadata").path("annotations"));
    // …and nothing else became a node.
    assertTrue(kept.path("metadata").path("managedFields").isMissingNode());
    assertTrue(kept.path("metadata").path("labels").isMissingNode());
    assertTrue(kept.path("status").isMissingNode());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>(node.propertyNames());
    java.util.Collections.sort(names);
    return names;
  }
}
