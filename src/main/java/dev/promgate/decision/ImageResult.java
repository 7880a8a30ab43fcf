package dev.promgate.decision;

import dev.promgate.image.ImageReference;
import dev.promgate.judgement.Judgement;
import dev.promgate.workload.ContainerImage;

/**
 * The judgement of one image, and where the workload writes it.
 *
 * @param container where the image is written
 * @param judgement how it fared
 */
public record ImageResult(ContainerImage container, Judgement judgement) {

  public boolean failed() {
    return judgement.failed();
  }

  /** {@code container "web": <image> <problem>; <problem>} — the line a user reads. */
  public String message() {
    return container.label() + ": " + displayImage() + " " + String.join("; ", judgement.problems());
  }

  private String displayImage() {
    String image = container.image();
    return image.isEmpty() ? "(empty image)" : ImageReference.printable(image);
  }
}
