package dev.promgate.workload;

/**
 * One image a workload asks to run.
 *
 * @param container the container's name (for an image volume, the volume's name)
 * @param fieldPath where it is written, e.g. {@code spec.template.spec.initContainers[0].image}
 * @param image     the image string exactly as written
 */
public record ContainerImage(String container, String fieldPath, String image) {

  /** {@code container "web"}, or {@code volume "models"} for an image volume: how messages name it. */
  public String label() {
    return (fieldPath.contains(".volumes[") ? "volume \"" : "container \"") + container + "\"";
  }
}
