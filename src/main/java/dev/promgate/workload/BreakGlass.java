package dev.promgate.workload;

import dev.promgate.admission.AdmissionCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Finds the break-glass annotation, {@code promgate.dev/break-glass: "<reason>"}, on a workload.
 *
 * <p><b>Where it must be.</b> The webhook judges every object that runs containers, including the
 * ReplicaSets and Pods that controllers create from a pod template. Those carry the template's
 * annotations, not the Deployment's (or CronJob's…), so the annotation belongs on the pod
 * template: {@code spec.template.metadata.annotations} (for a CronJob
 * {@code spec.jobTemplate.spec.template.metadata.annotations}). It is read there first; on the
 * object's own {@code metadata.annotations} it still counts for that object, and the decision warns
 * that the Pods it creates will not carry it.
 *
 * <p>Namespaces cannot carry it: promgate has no read access to the cluster (the environment comes
 * from the request path), and an AdmissionReview holds the object, not its namespace's annotations.
 */
public final class BreakGlass {

  public static final String ANNOTATION = "promgate.dev/break-glass";

  /**
   * A break-glass request found on the object.
   *
   * @param reason      the annotation's value, stripped ("" when it gives none)
   * @param where       the field it was read from, e.g. {@code spec.template.metadata.annotations}
   * @param reachesPods whether the Pods the object runs carry it too (it is on the pod template, or
   *                    the object is a Pod)
   */
  public record Request(String reason, String where, boolean reachesPods) {}

  private BreakGlass() {}

  /** The break-glass request on the request's object, if it has one. */
  public static Optional<Request> find(AdmissionCall call) {
    List<String> specPath = WorkloadImages.podSpecPath(call.group(), call.kind());
    if (specPath == null || call.object().isEmpty()) {
      return Optional.empty();
    }
    JsonNode object = call.object().get();
    List<String> template = new ArrayList<>(specPath.subList(0, specPath.size() - 1));
    template.add("metadata");
    Optional<Request> onTemplate = read(object, template, true);
    if (onTemplate.isPresent() || template.size() == 1) {
      return onTemplate;
    }
    return read(object, List.of("metadata"), false);
  }

  private static Optional<Request> read(JsonNode object, List<String> metadataPath, boolean reachesPods) {
    JsonNode node = object;
    for (String field : metadataPath) {
      node = node.path(field);
    }
    JsonNode value = node.path("annotations").path(ANNOTATION);
    if (!value.isString()) {
      return Optional.empty();
    }
    return Optional.of(new Request(value.stringValue().strip(), String.join(".", metadataPath) + ".annotations",
        reachesPods));
  }
}
