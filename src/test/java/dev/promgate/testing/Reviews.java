package dev.promgate.testing;

import dev.promgate.admission.AdmissionCall;
import dev.promgate.admission.AdmissionReviews;
import dev.promgate.json.Mappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** AdmissionReviews for tests: built from scratch, or read from the shared fixtures. */
public final class Reviews {

  public static final ObjectMapper JSON = Mappers.JSON;

  private Reviews() {}

  /** A v1 AdmissionReview for a Pod with these container images in {@code namespace}. */
  public static ObjectNode pod(String namespace, String... images) {
    ObjectNode pod = JSON.createObjectNode();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    pod.putObject("metadata").put("name", "web").put("namespace", namespace);
    ArrayNode containers = pod.putObject("spec").putArray("containers");
    for (int i = 0; i < images.length; i++) {
      containers.addObject().put("name", i == 0 ? "web" : "c" + i).put("image", images[i]);
    }
    return review("", "v1", "Pod", namespace, "CREATE", pod, null);
  }

  /** A v1 AdmissionReview for a Deployment with one container "web" of {@code image}. */
  public static ObjectNode deployment(String namespace, String image) {
    ObjectNode d = JSON.createObjectNode();
    d.put("apiVersion", "apps/v1");
    d.put("kind", "Deployment");
    d.putObject("metadata").put("name", "web").put("namespace", namespace);
    ObjectNode spec = d.putObject("spec");
    spec.put("replicas", 2);
    spec.putObject("template").putObject("spec").putArray("containers")
        .addObject().put("name", "web").put("image", image);
    return review("apps", "v1", "Deployment", namespace, "CREATE", d, null);
  }

  public static ObjectNode review(String group, String version, String kind, String namespace,
                                  String operation, ObjectNode object, ObjectNode oldObject) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", UUID.randomUUID().toString());
    request.putObject("kind").put("group", group).put("version", version).put("kind", kind);
    request.put("namespace", namespace);
    request.put("operation", operation);
    request.putObject("userInfo").put("username", "alice@acme.example");
    if (object != null) {
      request.set("name", object.path("metadata").path("name"));
      request.set("object", object);
    }
    if (oldObject != null) {
      request.set("oldObject", oldObject);
    }
    return review;
  }

  public static byte[] bytes(ObjectNode review) {
    return JSON.writeValueAsBytes(review);
  }

  public static AdmissionCall call(ObjectNode review) {
    return AdmissionReviews.read(bytes(review)).call().orElseThrow(() ->
        new AssertionError(AdmissionReviews.read(bytes(review)).bad()));
  }

  /** A fixture file's bytes. */
  public static byte[] fixture(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A Connaisseur fixture as a v1 review: many were captured as {@code v1beta1}, whose request has
   * the same shape; promgate itself answers v1beta1 with a 400, so tests that exercise the flow
   * read them as v1.
   */
  public static ObjectNode connaisseurAsV1(String file) {
    ObjectNode review = (ObjectNode) JSON.readTree(Fixtures.path("connaisseur", "admission_requests", file).toFile());
    review.put("apiVersion", "admission.k8s.io/v1");
    return review;
  }

  /** A Kubewarden fixture (a bare AdmissionRequest) wrapped in a v1 AdmissionReview. */
  public static ObjectNode kubewarden(String file) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    review.set("request", JSON.readTree(Fixtures.path("kubewarden-verify-image-signatures", file).toFile()));
    return review;
  }
}
