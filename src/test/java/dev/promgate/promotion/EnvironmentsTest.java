package dev.promgate.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.TestPolicies;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvironmentsTest {

  final Authority.Key rm = TestPolicies.keyAuthority("release-managers", TestPolicies.newEcKey());
  final Authority.Key qa = TestPolicies.keyAuthority("qa", TestPolicies.newEcKey());

  EnvironmentRules requires(String env, Map<String, Authority> promotions) {
    return new EnvironmentRules(env, Optional.empty(), List.of(), promotions.entrySet().stream()
        .map(e -> new EnvironmentRules.PromotionRule(e.getKey(), List.of(e.getValue()), Optional.empty())).toList(),
        List.of(), env);
  }

  PolicySet chain() {
    Map<String, EnvironmentRules> envs = new LinkedHashMap<>();
    envs.put("dev", requires("dev", Map.of()));
    envs.put("qa", requires("qa", Map.of("qa", qa)));
    envs.put("preprod", requires("preprod", Map.of("qa", qa, "preprod", rm)));
    envs.put("prod", requires("prod", new LinkedHashMap<>(Map.of("qa", qa, "preprod", rm, "prod", rm))));
    return TestPolicies.create().policy("shop", "**", Map.of("rm", rm, "qa", qa), envs).build();
  }

  @Test
  void theEnvironmentBeforeIsTheLastOfThoseRequired() {
    PolicySet set = chain();
    var governing = set.governing("registry.acme.example/shop/web");
    assertEquals(Optional.of("preprod"), Environments.previous(set, governing, "prod").environment());
    assertEquals(Optional.of("qa"), Environments.previous(set, governing, "preprod").environment());
    assertEquals(Optional.empty(), Environments.previous(set, governing, "qa").environment());
  }

  @Test
  void environmentsFollowTheChain() {
    assertEquals(List.of("dev", "qa", "preprod", "prod"), Environments.order(chain()));
  }

  @Test
  void promotionAuthoritiesAreEveryRuleSignerForThatEnvironment() {
    var governing = chain().governing("x/y");
    assertEquals(List.of(qa), Environments.promotionAuthorities(governing, "qa"));
    assertEquals(List.of(rm), Environments.promotionAuthorities(governing, "prod"));
    assertEquals(List.of(), Environments.promotionAuthorities(governing, "dev"));
  }
}
