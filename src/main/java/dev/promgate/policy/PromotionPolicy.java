package dev.promgate.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code PromotionPolicy} document: which repositories it governs, who may sign, and what each
 * environment requires.
 *
 * @param name         metadata.name, unique within a policy set
 * @param source       the file it was read from, for messages
 * @param images       globs over normalised repositories ({@code registry/path})
 * @param authorities  by name
 * @param environments by environment name
 */
public record PromotionPolicy(
    String name,
    Path source,
    List<Glob> images,
    Map<String, Authority> authorities,
    Map<String, EnvironmentRules> environments) {

  public boolean governs(String repository) {
    for (Glob g : images) {
      if (g.matches(repository)) {
        return true;
      }
    }
    return false;
  }

  public Optional<EnvironmentRules> rulesFor(String environment) {
    return Optional.ofNullable(environments.get(environment));
  }
}
