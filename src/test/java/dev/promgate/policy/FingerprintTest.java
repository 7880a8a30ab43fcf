package dev.promgate.policy;

import static dev.promgate.policy.PolicyFiles.SHOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verdict cache keys on EnvironmentRules.fingerprint: equal requirements, equal fingerprints. */
class FingerprintTest {

  @TempDir
  Path dir;

  private static Map<String, String> fingerprints(PolicySet set) {
    Map<String, String> byEnvironment = new LinkedHashMap<>();
    set.policies().get(0).environments().forEach((env, rules) -> byEnvironment.put(env, rules.fingerprint()));
    return byEnvironment;
  }

  @Test
  void stableAcrossReloadsAndIndependentOfModeFileAndPolicyName() {
    PolicyFiles files = PolicyFiles.standard(dir);
    Map<String, String> first = fingerprints(files.loaded());
    assertEquals(first, fingerprints(files.loaded()), "reloading the same files");
    assertEquals(64, first.get("prod").length());

    files.delete("shop.yaml").write("renamed.yml", SHOP
        .replace("name: shop", "name: storefront")
        .replace("mode: audit", "mode: enforce"));
    assertEquals(first, fingerprints(files.loaded()), "mode, file name and policy name are not requirements");
  }

  @Test
  void equalRequirementsInTwoEnvironmentsShareAFingerprint() {
    String withoutPreprodPromotion = SHOP.replace(
        "    preprod:\n      signatures: [ci]\n      promotions:\n        - {environment: preprod, signedBy: [release-managers]}\n",
        "    preprod:\n      signatures: [ci]\n");
    assertNotEquals(SHOP, withoutPreprodPromotion);
    Map<String, String> f = fingerprints(PolicyFiles.standard(dir).write("shop.yaml", withoutPreprodPromotion).loaded());
    assertEquals(f.get("dev"), f.get("preprod"), "dev (audit) and preprod (enforce) require the same");
  }

  @Test
  void aRotatedKeyChangesTheFingerprintsThatUseIt() {
    PolicyFiles files = PolicyFiles.standard(dir);
    Map<String, String> before = fingerprints(files.loaded());
    files.write("keys/release-managers.pub", PolicyFiles.publicPem(PolicyFiles.ecKeyPair()));
    Map<String, String> after = fingerprints(files.loaded());
    assertEquals(before.get("dev"), after.get("dev"), "dev only trusts ci");
    assertNotEquals(before.get("preprod"), after.get("preprod"));
    assertNotEquals(before.get("prod"), after.get("prod"));
  }

  @Test
  void everyRequirementCounts() {
    PolicyFiles files = PolicyFiles.standard(dir);
    String prod = fingerprints(files.loaded()).get("prod");
    String[][] edits = {
        {"maxAge: 720h", "maxAge: 168h"},
        {", maxAge: 720h", ""},
        {"startsWith(\"https://\")", "startsWith(\"https://ci.\")"},
        {"predicateType: https://slsa.dev/provenance/v1", "predicateType: https://slsa.dev/provenance/v0.2"},
        {"- {environment: preprod, signedBy: [release-managers]}\n        - {environment: prod", "- {environment: prod"},
        {"prod:\n      signatures: [ci]", "prod:\n      signatures: [ci, release-managers]"},
    };
    for (String[] edit : edits) {
      String shop = SHOP.replace(edit[0], edit[1]);
      assertNotEquals(SHOP, shop, edit[0]);
      assertNotEquals(prod, fingerprints(files.write("shop.yaml", shop).loaded()).get("prod"), edit[1]);
    }
    String renamed = SHOP.replace("  - name: ci\n", "  - name: builder\n").replace("[ci]", "[builder]");
    assertNotEquals(prod, fingerprints(files.write("shop.yaml", renamed).loaded()).get("prod"),
        "verdicts name the authority, so its name counts");

    String sameAge = SHOP.replace("maxAge: 720h", "maxAge: 43200m");
    assertEquals(prod, fingerprints(files.write("shop.yaml", sameAge).loaded()).get("prod"),
        "720h written as 43200m is the same requirement");
  }
}
