package dev.promgate.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * The platform of one entry of an image index, e.g. {@code linux/arm64/v8}.
 *
 * @param os           e.g. {@code linux}
 * @param architecture e.g. {@code amd64}, {@code arm64}
 * @param variant      e.g. {@code v8}, if any
 * @param osVersion    e.g. a Windows build, if any
 */
public record Platform(String os, String architecture, Optional<String> variant, Optional<String> osVersion) {

  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(osVersion, "osVersion");
  }

  public static Platform of(String os, String architecture) {
    return new Platform(os, architecture, Optional.empty(), Optional.empty());
  }

  @Override
  public String toString() {
    return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
  }
}
