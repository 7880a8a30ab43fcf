package dev.promgate.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompactEvidenceTest {

  static final String REPO = "registry.acme.example/shop/web";
  static final String HEX = "ab".repeat(32);

  static List<Evidence> typical(String approver, String change) {
    return List.of(
        new Evidence("signature", "ci", "key sha256:9f2c", REPO + ":sha256-" + HEX + ".sig layer 0 (signed as " + REPO + ")",
            Optional.empty()),
        new Evidence("promotion", "release-managers", "key sha256:77ab",
            "prod, 2026-11-25T09:00:00Z, " + approver + ", from preprod, " + change + ", https://ci.acme.example/runs/42",
            Optional.empty()),
        new Evidence("promotion", "release-managers", "key sha256:77ab", "preprod, 2026-11-20T09:00:00.250+02:00",
            Optional.empty()),
        new Evidence("attestation", "ci", "key sha256:9f2c", "https://slsa.dev/provenance/v1 where predicate.x", Optional.empty()),
        new Evidence("signature", "ünïcode", "", "", Optional.empty()));
  }

  @Test
  void roundTripsExactlyExceptThatPromotionsKeepTheirSummary() {
    CompactEvidence c = new CompactEvidence();
    for (int i = 0; i < 3; i++) {
      List<Evidence> evidence = typical("alice@acme.example", "CHG-" + i);
      List<Evidence> back = c.unpack(c.pack(evidence, REPO, HEX), REPO, HEX);
      assertEquals(evidence.get(0), back.get(0));
      assertEquals("prod, 2026-11-25T09:00:00Z, alice@acme.example", back.get(1).detail());
      assertEquals(evidence.get(1).authority(), back.get(1).authority());
      assertEquals(evidence.get(2), back.get(2));
      assertEquals(evidence.get(3), back.get(3));
      assertEquals(evidence.get(4), back.get(4));
    }
  }

  @Test
  void repeatedNamesAndTheDigestCostAlmostNothing() {
    CompactEvidence c = new CompactEvidence();
    c.pack(typical("alice@acme.example", "CHG-1"), REPO, HEX);
    byte[] second = c.pack(typical("alice@acme.example", "CHG-2"), REPO, HEX);
    int textLength = typical("alice@acme.example", "CHG-2").stream().mapToInt(e -> e.detail().length()).sum();
    assertTrue(second.length < textLength / 3, second.length + " bytes for " + textLength + " characters of detail");
  }
}
