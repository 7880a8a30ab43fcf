package dev.promgate.testing;

import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.Glob;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.policy.PublicKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Policy sets built in code for tests that are not about policy files: a GateConfig and policies
 * with the shape of DESIGN.md (dev audit, preprod and prod enforcing).
 */
public final class TestPolicies {

  private GateConfig gate = new GateConfig(Mode.ENFORCE, Optional.of("dev"),
      List.of(new GateConfig.NamespaceRule(Glob.compile("*-prod"), "prod"),
          new GateConfig.NamespaceRule(Glob.compile("*-preprod"), "preprod")),
      List.of(Glob.compile("kube-system"), Glob.compile("promgate-*")),
      List.of(registry("registry.acme.example"), registry("docker.io"), registry("my.reg"),
          registry("ghcr.io"), registry("quay.io"), registry("registry.k8s.io")),
      GateConfig.CacheSettings.defaults(), Optional.empty(), GateConfig.Timeouts.defaults(), Set.of(),
      GateConfig.Limits.defaults());
  private final List<PromotionPolicy> policies = new ArrayList<>();
  private long generation = 1;

  public static TestPolicies create() {
    return new TestPolicies();
  }

  public static GateConfig.RegistrySettings registry(String host) {
    return new GateConfig.RegistrySettings(host, false, Optional.empty());
  }

  public static KeyPair newEcKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static Authority.Key keyAuthority(String name, KeyPair key) {
    return new Authority.Key(name, key.getPublic(), "test:" + name, PublicKeys.fingerprint(key.getPublic()));
  }

  public TestPolicies gate(GateConfig gate) {
    this.gate = gate;
    return this;
  }

  public GateConfig gate() {
    return gate;
  }

  public TestPolicies generation(long generation) {
    this.generation = generation;
    return this;
  }

  /** A policy over {@code images} whose environments need nothing but a digest. */
  public TestPolicies digestOnly(String name, String images, Map<String, Optional<Mode>> environments) {
    Map<String, EnvironmentRules> envs = new LinkedHashMap<>();
    environments.forEach((env, mode) -> envs.put(env,
        new EnvironmentRules(env, mode, List.of(), List.of(), List.of(), "digest-only:" + env)));
    return policy(name, images, Map.of(), envs);
  }

  public TestPolicies policy(String name, String images, Map<String, Authority> authorities,
                             Map<String, EnvironmentRules> environments) {
    policies.add(new PromotionPolicy(name, Path.of("policies", name + ".yaml"),
        List.of(Glob.compile(images)), authorities, environments));
    return this;
  }

  /** dev (audit), preprod and prod, each needing only a digest, over every repository. */
  public static PolicySet digestOnlyEverywhere() {
    Map<String, Optional<Mode>> envs = new LinkedHashMap<>();
    envs.put("dev", Optional.of(Mode.AUDIT));
    envs.put("preprod", Optional.empty());
    envs.put("prod", Optional.empty());
    return create().digestOnly("everything", "**", envs).build();
  }

  public static EnvironmentRules signedBy(String env, Authority authority) {
    return new EnvironmentRules(env, Optional.empty(), List.of(authority), List.of(), List.of(),
        "signed:" + env + ":" + authority.name());
  }

  public static EnvironmentRules promoted(String env, Authority signer, Authority releaser, Duration maxAge) {
    return new EnvironmentRules(env, Optional.empty(), List.of(signer),
        List.of(new EnvironmentRules.PromotionRule(env, List.of(releaser), Optional.ofNullable(maxAge))),
        List.of(), "promoted:" + env + ":" + signer.name() + ":" + releaser.name() + ":" + maxAge);
  }

  public PolicySet build() {
    return new PolicySet(generation, Instant.parse("2026-11-26T09:00:00Z"), gate, policies);
  }
}
