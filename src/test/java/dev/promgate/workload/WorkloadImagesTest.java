package dev.promgate.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Reviews;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

class WorkloadImagesTest {

  private static List<String> images(ObjectNode review) {
    var x = WorkloadImages.of(Reviews.call(review));
    return assertInstanceOf(WorkloadImages.Images.class, x, x.toString()).images().stream()
        .map(c -> c.container() + "=" + c.image() + "@" + c.fieldPath()).toList();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "pod_creation_signed.json|spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:signed",
      "pod_creation_unsigned.json|spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:unsigned",
      "deployment_creation_signed.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:signed",
      "deployment_creation_unsigned.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:unsigned",
      "replicaset_creation_signed.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:signed",
      "replicaset_creation_unsigned.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:unsigned",
      "statefulset_creation_signed.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:signed",
      "statefulset_creation_unsigned.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:unsigned",
      "daemonset_creation_signed.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:signed",
      "daemonset_creation_unsigned.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:unsigned",
      "job_creation_signed.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:signed",
      "job_creation_unsigned.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:unsigned",
      "cronjob_creation_signed.json|spec.jobTemplate.spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:signed",
      "cronjob_creation_unsigned.json|spec.jobTemplate.spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:unsigned",
      "replicationcontroller_creation_signed.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:signed",
      "replicationcontroller_creation_unsigned.json|spec.template.spec.containers[0]|ghcr.io/kubewarden/test-verify-image-signatures:unsigned",
      "pod_creation_signed_with_certificate.json|spec.containers[0]|ghcr.io/kubewarden/tests/pod-privileged:v0.2.1",
      "pod_creation_signed_with_keyless_mode.json|spec.containers[0]|ghcr.io/kubewarden/tests/pod-privileged:v0.2.1",
      "pod_creation_with_digest.json|spec.containers[0]|nginx:v1.26@sha256:89102e348749bb17a6a651a4b2a17420e1a66d2a44a675b981973d49a5af3a5e",
  })
  void everyKubewardenKindYieldsItsImageWithItsFieldPath(String file, String path, String image) {
    List<String> found = images(Reviews.kubewarden(file));
    assertEquals(1, found.size(), found.toString());
    assertTrue(found.get(0).endsWith("=" + image + "@" + path + ".image"), found.toString());
  }

  @Test
  void initContainersComeFirstThenContainers() {
    List<String> found = images(Reviews.kubewarden("pod_creation_with_init_container.json"));
    assertEquals(2, found.size(), found.toString());
    assertTrue(found.get(0).contains("@spec.initContainers[0].image"), found.toString());
    assertTrue(found.get(1).contains("@spec.containers[0].image"), found.toString());
  }

  @Test
  void connaisseurKindsIncludingBatchV1beta1CronJob() {
    assertEquals(List.of("busybox"), imageNames("04_cronjob.json"));
    assertEquals(List.of("busybox:1.32", "redis:alpine", "mysql:8"), imageNames("09_dply_multi_image.json"));
    assertEquals(List.of("nginx"), imageNames("05_replication_controller.json"));
    assertEquals(List.of("registry.k8s.io/nginx-slim:0.8"), imageNames("07_statefulset.json"));
    List<String> ephemeral = images(Reviews.connaisseurAsV1("20_pod_ephemeralcontainer.json"));
    assertTrue(ephemeral.get(1).endsWith("=nginx@spec.ephemeralContainers[0].image"), ephemeral.toString());
  }

  private static List<String> imageNames(String file) {
    var x = (WorkloadImages.Images) WorkloadImages.of(Reviews.call(Reviews.connaisseurAsV1(file)));
    return x.images().stream().map(ContainerImage::image).toList();
  }

  @Test
  void nonWorkloadKindsAreNotWorkloads() {
    var x = WorkloadImages.of(Reviews.call(Reviews.connaisseurAsV1("11_role.json")));
    assertEquals("rbac.authorization.k8s.io/Role", assertInstanceOf(WorkloadImages.NotAWorkload.class, x).kind());
  }

  @Test
  void aPodWithoutSpecIsMalformed() {
    var x = WorkloadImages.of(Reviews.call(Reviews.connaisseurAsV1("12_err_pod.json")));
    assertTrue(assertInstanceOf(WorkloadImages.Malformed.class, x).reason().contains("no pod spec"), x.toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"spec\":{\"containers\":\"nope\"}}|spec.containers is not a list",
      "{\"spec\":{\"containers\":[1]}}|spec.containers[0] is not an object",
      "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":7}]}}|spec.containers[0].image is not a string",
      "{\"spec\":\"x\"}|spec is not an object",
      "{\"metadata\":{}}|it has no pod spec at spec",
  })
  void structurallyBrokenPodsAreMalformedWithTheFieldPath(String object, String expected) throws Exception {
    ObjectNode review = Reviews.review("", "v1", "Pod", "shop", "CREATE",
        (ObjectNode) Reviews.JSON.readTree(object), null);
    var x = WorkloadImages.of(Reviews.call(review));
    assertTrue(assertInstanceOf(WorkloadImages.Malformed.class, x).reason().endsWith(expected), x.toString());
  }

  @Test
  void imageVolumesAreJudgedLikeContainers() throws Exception {
    ObjectNode pod = (ObjectNode) Reviews.pod("shop", "registry.acme.example/shop/web@sha256:" + "a".repeat(64))
        .path("request").path("object");
    ((ObjectNode) pod.path("spec")).putArray("volumes")
        .add(Reviews.JSON.readTree("{\"name\":\"config\",\"configMap\":{\"name\":\"x\"}}"))
        .add(Reviews.JSON.readTree("{\"name\":\"models\",\"image\":{\"reference\":\"registry.acme.example/ml/models:v2\"}}"));
    var x = (WorkloadImages.Images) WorkloadImages.of(Reviews.call(Reviews.review("", "v1", "Pod", "shop", "CREATE", pod, null)));
    assertEquals(2, x.images().size());
    ContainerImage volume = x.images().get(1);
    assertEquals("spec.volumes[1].image.reference", volume.fieldPath());
    assertEquals("registry.acme.example/ml/models:v2", volume.image());
    assertEquals("volume \"models\"", volume.label());
  }

  @Test
  void updateJudgesOnlyNewImages() {
    ObjectNode old = (ObjectNode) Reviews.deployment("shop", "registry.acme.example/shop/web:1").path("request").path("object");
    ObjectNode scaled = old.deepCopy();
    ((ObjectNode) scaled.path("spec")).put("replicas", 10);
    var unchanged = WorkloadImages.of(Reviews.call(Reviews.review("apps", "v1", "Deployment", "shop", "UPDATE", scaled, old)));
    var images = assertInstanceOf(WorkloadImages.Images.class, unchanged);
    assertEquals(0, images.images().size());
    assertEquals(1, images.unchanged());

    ObjectNode changed = old.deepCopy();
    ((ObjectNode) changed.path("spec").path("template").path("spec").path("containers").path(0)).put("image", "registry.acme.example/shop/web:2");
    var x = (WorkloadImages.Images) WorkloadImages.of(Reviews.call(Reviews.review("apps", "v1", "Deployment", "shop", "UPDATE", changed, old)));
    assertEquals(List.of("registry.acme.example/shop/web:2"), x.images().stream().map(ContainerImage::image).toList());
  }

  @Test
  void connaisseurRealUpdateCaptureWithUnchangedImageJudgesNothing() {
    var x = WorkloadImages.of(Reviews.call(Reviews.connaisseurAsV1("10_update.json")));
    assertEquals(0, assertInstanceOf(WorkloadImages.Images.class, x).images().size());
  }

  @Test
  void ephemeralContainerSubresourceUpdateJudgesTheDebugImage() {
    ObjectNode pod = (ObjectNode) Reviews.pod("shop", "registry.acme.example/shop/web@sha256:" + "a".repeat(64))
        .path("request").path("object");
    ObjectNode debugged = pod.deepCopy();
    ((ObjectNode) debugged.path("spec")).putArray("ephemeralContainers").addObject()
        .put("name", "debugger").put("image", "busybox:latest");
    ObjectNode review = Reviews.review("", "v1", "Pod", "shop", "UPDATE", debugged, pod);
    ((ObjectNode) review.path("request")).put("subResource", "ephemeralcontainers");
    var x = (WorkloadImages.Images) WorkloadImages.of(Reviews.call(review));
    assertEquals(1, x.images().size());
    assertEquals("spec.ephemeralContainers[0].image", x.images().get(0).fieldPath());
    assertEquals("debugger", x.images().get(0).container());
  }

  @Test
  void anObjectWithMoreDistinctImagesThanTheCapIsMalformedBeforeAnyIsJudged() {
    String[] atCap = new String[WorkloadImages.MAX_IMAGES];
    java.util.Arrays.setAll(atCap, i -> "registry.example/shop/web:" + i);
    assertEquals(WorkloadImages.MAX_IMAGES, images(Reviews.pod("shop", atCap)).size());

    String[] repeats = new String[WorkloadImages.MAX_IMAGES * 4];
    java.util.Arrays.setAll(repeats, i -> "registry.example/shop/web:" + (i % 8));
    assertEquals(repeats.length, images(Reviews.pod("shop", repeats)).size(), "repeats are judged once, not capped");

    String[] over = new String[WorkloadImages.MAX_IMAGES + 1];
    java.util.Arrays.setAll(over, i -> "registry.example/shop/web:" + i);
    var x = WorkloadImages.of(Reviews.call(Reviews.pod("shop", over)));
    String reason = assertInstanceOf(WorkloadImages.Malformed.class, x, x.toString()).reason();
    assertTrue(reason.contains("more than " + WorkloadImages.MAX_IMAGES + " distinct images"), reason);
  }
}
