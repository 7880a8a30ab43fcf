package dev.promgate.workload;

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
 * <p><b>It expires.</b> A second annotation, {@code promgate.dev/break-glass-until: "<RFC 3339 time>"},
 * beside the first, says until when; it is required and may lie at most {@link #MAX_WINDOW} ahead.
 * Otherwise an annotation left on a pod template would admit every later image of that workload,
 * long after the emergency it was written for.
 *
 * <p>Namespaces cannot carry it: promgate has no read access to the cluster (the environment comes
 * from the request path), and an AdmissionReview holds the object, not its namespace's annotations.
 */
public final class BreakGlass {

  public static final String ANNOTATION = "promgate.dev/break-glass";
  public static final String UNTIL_ANNOTATION = "promgate.dev/break-glass-until";
  /** The longest a break-glass may be granted for. */
  public static final java.time.Duration MAX_WINDOW = java.time.Duration.ofHours(24);

  /**
   * A break-glass request found on the object.
   *
   * @param reason      the annotation's value, stripped ("" when it gives none)
   * @param where       the field it was read from, e.g. {@code spec.template.metadata.annotations}
   * @param reachesPods whether the Pods the object runs carry it too (it is on the pod template, or
   *                    the object is a Pod)
   * @param until       the {@value #UNTIL_ANNOTATION} annotation beside it, as written ("" when absent)
   */
  public record Request(String reason, String where, boolean reachesPods, String until) {

    /** Why the request does not hold at {@code now}, or empty when it does. */
    public Optional<String> expired(java.time.Instant now) {
      if (until.isEmpty()) {
        return Optional.of("it has no " + UNTIL_ANNOTATION + " annotation beside it; add one with an RFC 3339 "
            + "time at most " + MAX_WINDOW.toHours() + "h ahead, e.g. " + now.plus(java.time.Duration.ofHours(4))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      }
      java.time.Instant end;
      try {
        end = java.time.OffsetDateTime.parse(until).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        return Optional.of(UNTIL_ANNOTATION + " \"" + until + "\" is not an RFC 3339 time");
      }
      if (!end.isAfter(now)) {
        return Optional.of("it expired at " + end);
      }
      if (end.isAfter(now.plus(MAX_WINDOW))) {
        return Optional.of(UNTIL_ANNOTATION + " " + end + " lies more than " + MAX_WINDOW.toHours() + "h ahead");
      }
      return Optional.empty();
    }
  }

  private BreakGlass() {}

  /**
   * The break-glass request on a workload object, if it has one: read while its images are, from
   * the object {@link WorkloadImages} already parsed.
   *
   * @param specPath the field names from the object's root to its pod spec
   */
  static Optional<Request> find(JsonNode object, List<String> specPath) {
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
    JsonNode annotations = node.path("annotations");
    JsonNode value = annotations.path(ANNOTATION);
    if (!value.isString()) {
      return Optional.empty();
    }
    JsonNode until = annotations.path(UNTIL_ANNOTATION);
    return Optional.of(new Request(value.stringValue().strip(), String.join(".", metadataPath) + ".annotations",
        reachesPods, until.isString() ? until.stringValue().strip() : ""));
  }
}
