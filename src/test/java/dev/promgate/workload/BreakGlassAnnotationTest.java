package dev.promgate.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Reviews;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class BreakGlassAnnotationTest {

  static final String IMAGE = "registry.acme.example/shop/web@sha256:" + "ab".repeat(32);

  static ObjectNode annotate(ObjectNode review, String path, String value) {
    ObjectNode node = (ObjectNode) review.path("request").path("object");
    for (String field : path.split("\\.")) {
      node = node.has(field) ? (ObjectNode) node.get(field) : node.putObject(field);
    }
    node.putObject("annotations").put(BreakGlass.ANNOTATION, value);
    return review;
  }

  @Test
  void aPodCarriesItInItsOwnMetadata() {
    var found = WorkloadImages.of(Reviews.call(annotate(Reviews.pod("shop", IMAGE), "metadata", " INC-42 "))).breakGlass();
    assertEquals(Optional.of(new BreakGlass.Request("INC-42", "metadata.annotations", true, "")), found);
  }

  @Test
  void aDeploymentCarriesItOnItsPodTemplateFirst() {
    ObjectNode review = annotate(Reviews.deployment("shop", IMAGE), "spec.template.metadata", "INC-1");
    annotate(review, "metadata", "INC-2");
    assertEquals(Optional.of(new BreakGlass.Request("INC-1", "spec.template.metadata.annotations", true, "")),
        WorkloadImages.of(Reviews.call(review)).breakGlass());
  }

  @Test
  void onTheDeploymentsOwnMetadataItCountsButDoesNotReachThePods() {
    var found = WorkloadImages.of(Reviews.call(annotate(Reviews.deployment("shop", IMAGE), "metadata", "INC-3"))).breakGlass();
    assertEquals(Optional.of(new BreakGlass.Request("INC-3", "metadata.annotations", false, "")), found);
  }

  @Test
  void aCronJobCarriesItOnTheJobTemplatesPodTemplate() {
    ObjectNode cron = Reviews.JSON.createObjectNode();
    cron.putObject("metadata").put("name", "nightly");
    cron.putObject("spec").putObject("jobTemplate").putObject("spec").putObject("template").putObject("spec")
        .putArray("containers").addObject().put("name", "job").put("image", IMAGE);
    ObjectNode review = Reviews.review("batch", "v1", "CronJob", "shop", "CREATE", cron, null);
    annotate(review, "spec.jobTemplate.spec.template.metadata", "INC-4");
    assertEquals(Optional.of(new BreakGlass.Request("INC-4", "spec.jobTemplate.spec.template.metadata.annotations", true, "")),
        WorkloadImages.of(Reviews.call(review)).breakGlass());
  }

  @Test
  void noAnnotationOrNoWorkloadFindsNothing() {
    assertTrue(WorkloadImages.of(Reviews.call(Reviews.pod("shop", IMAGE))).breakGlass().isEmpty());
    assertTrue(WorkloadImages.of(Reviews.call(Reviews.connaisseurAsV1("11_role.json"))).breakGlass().isEmpty());
    ObjectNode number = Reviews.pod("shop", IMAGE);
    ((ObjectNode) number.path("request").path("object").path("metadata")).putObject("annotations")
        .put(BreakGlass.ANNOTATION, 42);
    assertTrue(WorkloadImages.of(Reviews.call(number)).breakGlass().isEmpty(), "annotation values are strings");
  }
}
