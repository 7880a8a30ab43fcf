package dev.promgate.workload;

import dev.promgate.admission.AdmissionCall;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Finds the images of a workload object. The kind is taken from the request, not from the object,
 * because the API server names it there authoritatively. CronJob {@code batch/v1beta1} has the
 * same shape as {@code batch/v1}.
 */
public final class WorkloadImages {

  /** What a request's object holds. */
  public sealed interface Extraction permits NotAWorkload, Images, Malformed {
    /** The break-glass annotation on the workload, if it has one ({@link BreakGlass}). */
    default Optional<BreakGlass.Request> breakGlass() {
      return Optional.empty();
    }
  }

  /** A kind that runs no containers (a Role, a ConfigMap…): allowed and logged. */
  public record NotAWorkload(String kind) implements Extraction {}

  /**
   * The images to judge; on UPDATE only the new ones, with how many were unchanged; and the
   * break-glass annotation, read from the same object.
   */
  public record Images(List<ContainerImage> images, int unchanged, Optional<BreakGlass.Request> breakGlass)
      implements Extraction {}

  /** A workload object promgate cannot read; denied with this reason. */
  public record Malformed(String reason) implements Extraction {}

  /** Where each workload kind keeps its pod spec, as field names from the object's root. */
  private static final Map<String, List<String>> POD_SPEC_PATHS = Map.of(
      "/Pod", List.of("spec"),
      "/PodTemplate", List.of("template", "spec"),
      "/ReplicationController", List.of("spec", "template", "spec"),
      "apps/Deployment", List.of("spec", "template", "spec"),
      "apps/ReplicaSet", List.of("spec", "template", "spec"),
      "apps/StatefulSet", List.of("spec", "template", "spec"),
      "apps/DaemonSet", List.of("spec", "template", "spec"),
      "batch/Job", List.of("spec", "template", "spec"),
      "batch/CronJob", List.of("spec", "jobTemplate", "spec", "template", "spec"));

  /**
   * Distinct image strings one object may hold. Kubernetes sets no limit, and each distinct image
   * can cost a verification (repeats are judged once); real pods hold a handful. More is denied as
   * unreadable, before any image is judged.
   */
  public static final int MAX_IMAGES = 256;

  private static final List<String> CONTAINER_LISTS =
      List.of("initContainers", "containers", "ephemeralContainers");

  /** A problem in the object's structure, with the field path where it was found. */
  private static final class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  private WorkloadImages() {}

  /** The images a request asks to run that promgate must judge. */
  public static Extraction of(AdmissionCall call) {
    List<String> path = POD_SPEC_PATHS.get(call.group() + "/" + call.kind());
    if (path == null) {
      return new NotAWorkload(call.qualifiedKind());
    }
    if (call.object().isEmpty()) {
      return new Malformed("the request has no object of kind " + call.qualifiedKind());
    }
    List<ContainerImage> now;
    try {
      now = imagesOf(call.object().get(), path);
    } catch (Unreadable e) {
      return new Malformed("request.object is not a valid " + call.qualifiedKind() + ": " + e.getMessage());
    }
    Optional<BreakGlass.Request> breakGlass = BreakGlass.find(call.object().get(), path);
    if (!"UPDATE".equals(call.operation()) || call.oldObject().isEmpty()) {
      return new Images(now, 0, breakGlass);
    }
    Set<String> before = new HashSet<>();
    try {
      imagesOf(call.oldObject().get(), path).forEach(c -> before.add(c.image()));
    } catch (Unreadable e) {
      // An unreadable oldObject cannot vouch for anything: every image is judged as new.
    }
    List<ContainerImage> added = new ArrayList<>();
    for (ContainerImage c : now) {
      if (!before.contains(c.image())) {
        added.add(c);
      }
    }
    return new Images(added, now.size() - added.size(), breakGlass);
  }

  private static List<ContainerImage> imagesOf(JsonNode object, List<String> path) {
    if (!object.isObject()) {
      throw new Unreadable("it is not a JSON object");
    }
    JsonNode spec = object;
    StringBuilder at = new StringBuilder();
    for (String field : path) {
      at.append(at.length() == 0 ? "" : ".").append(field);
      spec = spec.path(field);
      if (spec.isMissingNode() || spec.isNull()) {
        throw new Unreadable("it has no pod spec at " + at);
      }
      if (!spec.isObject()) {
        throw new Unreadable(at + " is not an object");
      }
    }
    String base = at.append('.').toString();
    List<ContainerImage> images = new ArrayList<>(4);
    for (String list : CONTAINER_LISTS) {
      JsonNode containers = spec.path(list);
      if (containers.isMissingNode() || containers.isNull()) {
        continue;
      }
      if (!containers.isArray()) {
        throw new Unreadable(base + list + " is not a list");
      }
      for (int i = 0; i < containers.size(); i++) {
        JsonNode c = containers.get(i);
        String field = base + list + "[" + i + "]";
        if (!c.isObject()) {
          throw new Unreadable(field + " is not an object");
        }
        images.add(new ContainerImage(text(c, "name", field, "(unnamed)"), field + ".image",
            text(c, "image", field, "")));
      }
    }
    addImageVolumes(images, base, spec.path("volumes"));
    checkCount(images);
    return images;
  }

  /**
   * Image volumes ({@code volumes[].image.reference}, Kubernetes 1.31+) make the kubelet pull an
   * OCI image too: they are judged like containers, or they would be a way around promgate.
   */
  private static void addImageVolumes(List<ContainerImage> images, String base, JsonNode volumes) {
    if (volumes.isMissingNode() || volumes.isNull()) {
      return;
    }
    if (!volumes.isArray()) {
      throw new Unreadable(base + "volumes is not a list");
    }
    for (int i = 0; i < volumes.size(); i++) {
      JsonNode volume = volumes.get(i);
      JsonNode image = volume.path("image");
      if (image.isMissingNode() || image.isNull()) {
        continue;
      }
      String field = base + "volumes[" + i + "]";
      if (!image.isObject()) {
        throw new Unreadable(field + ".image is not an object");
      }
      images.add(new ContainerImage(text(volume, "name", field, "(unnamed)"), field + ".image.reference",
          text(image, "reference", field + ".image", "")));
    }
  }

  private static void checkCount(List<ContainerImage> images) {
    if (images.size() <= MAX_IMAGES) {
      return;
    }
    Set<String> distinct = new HashSet<>();
    for (ContainerImage c : images) {
      if (distinct.add(c.image()) && distinct.size() > MAX_IMAGES) {
        throw new Unreadable("it holds more than " + MAX_IMAGES + " distinct images (containers, initContainers,"
            + " ephemeralContainers and image volumes together); promgate judges at most " + MAX_IMAGES
            + " per object");
      }
    }
  }

  private static String text(JsonNode container, String name, String field, String absent) {
    JsonNode value = container.path(name);
    if (value.isMissingNode() || value.isNull()) {
      return absent;
    }
    if (!value.isString()) {
      throw new Unreadable(field + "." + name + " is not a string");
    }
    String s = value.stringValue();
    return s.isEmpty() ? absent : s;
  }
}
