package dev.promgate.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeSet;

/**
 * An immutable, validated set of policies, as loaded from one directory at one moment. What every
 * decision asks of it — the environments, the policies governing a repository — is computed once
 * and kept, not recomputed per request.
 */
public final class PolicySet {

  /** Repositories whose governing policies are remembered; a cluster runs far fewer. */
  private static final int GOVERNING_CACHE = 10_000;

  private final long generation;
  private final Instant loadedAt;
  private final GateConfig gate;
  private final List<PromotionPolicy> policies;
  private final Set<String> environments;
  private final Map<String, List<PromotionPolicy>> governing = new ConcurrentHashMap<>();
  /** When each environment last decided a request (under this set or, inherited, an earlier one). */
  private final Map<String, Instant> lastServed = new ConcurrentHashMap<>();

  /**
   * @param generation increases with every successful load; decisions name the generation they used
   * @param loadedAt   when it was loaded
   * @param gate       the GateConfig (defaults if the directory has none)
   * @param policies   all PromotionPolicy documents, in file order
   */
  public PolicySet(long generation, Instant loadedAt, GateConfig gate, List<PromotionPolicy> policies) {
    this.generation = generation;
    this.loadedAt = loadedAt;
    this.gate = gate;
    this.policies = List.copyOf(policies);
    this.environments = collectEnvironments(this.policies, gate);
  }

  public long generation() {
    return generation;
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  public GateConfig gate() {
    return gate;
  }

  public List<PromotionPolicy> policies() {
    return policies;
  }

  /** Generation 0: no valid policy set has loaded yet; every workload request is refused. */
  /**
   * Every trusted root the authorities use, once each (by digest): for keeping TUF-sourced roots
   * current and reporting their age.
   */
  public List<TrustedRoot> trustedRoots() {
    java.util.Map<String, TrustedRoot> roots = new java.util.LinkedHashMap<>();
    for (PromotionPolicy p : policies) {
      for (Authority a : p.authorities().values()) {
        java.util.Optional<TrustedRoot> root = java.util.Optional.empty();
        if (a instanceof Authority.Keyless k) {
          root = java.util.Optional.of(k.root());
        } else if (a instanceof Authority.Key k) {
          root = k.transparency().map(Authority.Transparency::root);
        } else if (a instanceof Authority.CertificateChain c) {
          root = c.transparency().map(Authority.Transparency::root);
        }
        root.ifPresent(r -> roots.putIfAbsent(r.digest(), r));
      }
    }
    return List.copyOf(roots.values());
  }

  public static PolicySet none() {
    return new PolicySet(0, Instant.EPOCH, GateConfig.defaults(), List.of());
  }

  public boolean isNone() {
    return generation == 0;
  }

  /** Every policy whose image globs match this normalised repository. */
  public List<PromotionPolicy> governing(String repository) {
    List<PromotionPolicy> known = governing.get(repository);
    if (known != null) {
      return known;
    }
    List<PromotionPolicy> found = match(repository);
    if (governing.size() < GOVERNING_CACHE) {
      governing.put(repository, found);
    }
    return found;
  }

  private List<PromotionPolicy> match(String repository) {
    List<PromotionPolicy> found = null;
    for (PromotionPolicy p : policies) {
      if (p.governs(repository)) {
        if (found == null) {
          found = new ArrayList<>(2);
        }
        found.add(p);
      }
    }
    return found == null ? List.of() : Collections.unmodifiableList(found);
  }

  /**
   * The environments this set knows: every environment a policy defines, plus those the GateConfig
   * names (default environment and namespace rules). Sorted.
   */
  public Set<String> environments() {
    return environments;
  }

  private static Set<String> collectEnvironments(List<PromotionPolicy> policies, GateConfig gate) {
    Set<String> names = new TreeSet<>();
    for (PromotionPolicy p : policies) {
      names.addAll(p.environments().keySet());
    }
    gate.defaultEnvironment().ifPresent(names::add);
    for (GateConfig.NamespaceRule rule : gate.namespaces()) {
      names.add(rule.environment());
    }
    return Collections.unmodifiableSet(names);
  }

  /**
   * Notes that {@code environment} decided a request at {@code at}; environments this set does not
   * know are ignored, so the record stays as small as the set.
   */
  public void served(String environment, Instant at) {
    if (environments.contains(environment)) {
      lastServed.merge(environment, at, (a, b) -> a.isAfter(b) ? a : b);
    }
  }

  /** When each environment last decided a request, as far as this set knows. */
  public Map<String, Instant> lastServed() {
    return Collections.unmodifiableMap(lastServed);
  }

  /** Carries over when the environments of the set this one replaces last served. */
  void inheritServed(PolicySet previous) {
    previous.lastServed.forEach(this::served);
  }

  /** Whether some PromotionPolicy has rules for this environment. */
  public boolean defines(String environment) {
    for (PromotionPolicy p : policies) {
      if (p.environments().containsKey(environment)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The mode an environment runs in for an image governed by {@code governing}: enforce when any of
   * their rules for the environment enforces. When none of them has rules for it (an image no
   * policy matches, above all), the environment's own mode across all policies decides — a dev
   * namespace in audit stays in audit for a third-party image — and only an environment no policy
   * defines falls back to the GateConfig's mode.
   */
  public Mode modeFor(String environment, List<PromotionPolicy> governing) {
    Mode mode = modeOfRules(environment, governing);
    if (mode == null && governing != policies) {
      mode = modeOfRules(environment, policies);
    }
    return mode == null ? gate.mode() : mode;
  }

  private Mode modeOfRules(String environment, List<PromotionPolicy> governing) {
    Mode mode = null;
    for (PromotionPolicy p : governing) {
      EnvironmentRules rules = p.environments().get(environment);
      if (rules != null) {
        if (rules.mode().orElse(gate.mode()) == Mode.ENFORCE) {
          return Mode.ENFORCE;
        }
        mode = Mode.AUDIT;
      }
    }
    return mode;
  }

  @Override
  public String toString() {
    return "PolicySet{generation=" + generation + ", environments=" + environments + ", policies="
        + policies.stream().map(PromotionPolicy::name).toList() + "}";
  }
}
