package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The repository's {@code policies/}, which {@code promgate serve} uses by default, must load. */
class ShippedPoliciesTest {

  private static final Path POLICIES = Path.of("policies");

  @Test
  void loadsWithoutProblems() {
    assertEquals(List.of(), PolicyLoader.check(POLICIES));
  }

  @Test
  void describesTheDevPreprodProdWorkflow() {
    PolicySet set = assertInstanceOf(PolicyLoadResult.Loaded.class, PolicyLoader.load(POLICIES)).policies();
    assertEquals(List.of("dev", "preprod", "prod"), List.copyOf(set.environments()));
    assertEquals(Mode.ENFORCE, set.gate().mode());
    assertEquals("dev", set.gate().defaultEnvironment().orElseThrow());
    assertTrue(set.gate().isExempt("kube-system"));
    assertTrue(set.gate().registry("127.0.0.1:5000").orElseThrow().insecure());

    PromotionPolicy shop = set.governing("registry.acme.example/shop/web").get(0);
    assertEquals(Mode.AUDIT, set.modeFor("dev", List.of(shop)));
    assertEquals(Mode.ENFORCE, set.modeFor("prod", List.of(shop)));
    EnvironmentRules prod = shop.rulesFor("prod").orElseThrow();
    assertEquals(List.of("preprod", "prod"), prod.promotions().stream().map(EnvironmentRules.PromotionRule::environment).toList());
    assertEquals("https://slsa.dev/provenance/v1", prod.attestations().get(0).predicateType());
  }

  @Test
  void holdsNoPrivateKeys() throws IOException {
    try (Stream<Path> files = Files.walk(POLICIES)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertTrue(!Files.readString(file).contains("PRIVATE KEY"), file + " holds a private key");
      }
    }
  }
}
