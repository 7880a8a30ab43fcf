package dev.promgate.decision;

import dev.promgate.image.ImageReference;
import dev.promgate.policy.Mode;
import dev.promgate.verdict.Evidence;
import dev.promgate.workload.ContainerImage;
import java.util.List;

/**
 * The judgement of one container image.
 *
 * @param container where the image is written
 * @param status    allowed, denied (fails a requirement) or unverifiable (could not check)
 * @param mode      how a failure of this image is enforced
 * @param problems  what failed, each with its fix; empty when allowed
 * @param evidence  what held, for the decision log
 * @param digest    the pinned digest, or "" for an unpinned or invalid reference
 * @param cache     {@code hit}, {@code miss}, {@code stale} or {@code none} (no verification needed)
 */
public record ImageResult(ContainerImage container, Status status, Mode mode, List<String> problems,
                          List<Evidence> evidence, String digest, String cache) {

  public enum Status {
    ALLOWED, DENIED, UNVERIFIABLE;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ImageResult {
    problems = List.copyOf(problems);
    evidence = List.copyOf(evidence);
  }

  public boolean failed() {
    return status != Status.ALLOWED;
  }

  /** {@code container "web": <image> <problem>; <problem>} — the line a user reads. */
  public String message() {
    return container.label() + ": " + displayImage() + " " + String.join("; ", problems);
  }

  private String displayImage() {
    String image = container.image();
    return image.isEmpty() ? "(empty image)" : ImageReference.printable(image);
  }

  static ImageResult allowed(ContainerImage container, Mode mode, List<Evidence> evidence, String digest,
                             String cache) {
    return new ImageResult(container, Status.ALLOWED, mode, List.of(), evidence, digest, cache);
  }

  static ImageResult denied(ContainerImage container, Mode mode, String digest, List<String> problems) {
    return new ImageResult(container, Status.DENIED, mode, problems, List.of(), digest, "none");
  }
}
