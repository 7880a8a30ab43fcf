package dev.promgate.promotion;

import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the policies say about the promotion chain. A promotion to X required in environment E
 * puts X before E (the policy loader checks that this is an order).
 */
final class Environments {

  private Environments() {}

  /**
   * The authorities whose promotions to {@code environment} count: every {@code signedBy} of a
   * promotion rule to that environment, in any environment of the governing policies.
   */
  static List<Authority> promotionAuthorities(List<PromotionPolicy> governing, String environment) {
    Set<Authority> authorities = new LinkedHashSet<>();
    for (PromotionPolicy policy : governing) {
      for (EnvironmentRules rules : policy.environments().values()) {
        for (EnvironmentRules.PromotionRule rule : rules.promotions()) {
          if (rule.environment().equals(environment)) {
            authorities.addAll(rule.signedBy());
          }
        }
      }
    }
    return List.copyOf(authorities);
  }

  /**
   * The environment a digest comes from before {@code environment}, when the policies make it
   * clear: the one other environment whose promotion {@code environment} requires, or, when it
   * requires several, the one that comes after all the others.
   *
   * @param environment present when clear
   * @param why         how it was found, or why none is clear
   */
  record Previous(Optional<String> environment, String why) {}

  static Previous previous(PolicySet set, List<PromotionPolicy> governing, String environment) {
    Set<String> required = new TreeSet<>();
    for (PromotionPolicy policy : governing) {
      policy.rulesFor(environment).ifPresent(rules -> rules.promotions().forEach(rule -> {
        if (!rule.environment().equals(environment)) {
          required.add(rule.environment());
        }
      }));
    }
    if (required.isEmpty()) {
      return new Previous(Optional.empty(), "the policies require no promotion to another environment before "
          + environment);
    }
    if (required.size() == 1) {
      String only = required.iterator().next();
      return new Previous(Optional.of(only), environment + " requires a promotion to " + only);
    }
    Map<String, Set<String>> before = before(set);
    for (String candidate : required) {
      Set<String> earlier = closure(candidate, before);
      if (required.stream().allMatch(other -> other.equals(candidate) || earlier.contains(other))) {
        return new Previous(Optional.of(candidate), environment + " requires promotions to "
            + String.join(", ", required) + ", of which " + candidate + " comes last");
      }
    }
    return new Previous(Optional.empty(), environment + " requires promotions to " + String.join(", ", required)
        + " and the policies do not order them");
  }

  /**
   * Every environment of the policy set, earliest first along the promotion chain (alphabetical
   * where the chain does not decide).
   */
  static List<String> order(PolicySet set) {
    Map<String, Set<String>> before = before(set);
    List<String> ordered = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    Set<String> remaining = new TreeSet<>(set.environments());
    while (!remaining.isEmpty()) {
      String next = remaining.stream()
          .filter(env -> placed.containsAll(before.getOrDefault(env, Set.of())))
          .findFirst()
          .orElse(remaining.iterator().next()); // a cycle cannot load; stay total anyway
      ordered.add(next);
      placed.add(next);
      remaining.remove(next);
    }
    return ordered;
  }

  /** For each environment, the environments directly before it. */
  private static Map<String, Set<String>> before(PolicySet set) {
    Map<String, Set<String>> before = new HashMap<>();
    for (PromotionPolicy policy : set.policies()) {
      policy.environments().forEach((env, rules) -> rules.promotions().forEach(rule -> {
        if (!rule.environment().equals(env)) {
          before.computeIfAbsent(env, k -> new HashSet<>()).add(rule.environment());
        }
      }));
    }
    return before;
  }

  private static Set<String> closure(String environment, Map<String, Set<String>> before) {
    Set<String> seen = new HashSet<>();
    List<String> todo = new ArrayList<>(before.getOrDefault(environment, Set.of()));
    while (!todo.isEmpty()) {
      String env = todo.remove(todo.size() - 1);
      if (seen.add(env)) {
        todo.addAll(before.getOrDefault(env, Set.of()));
      }
    }
    return seen;
  }
}
