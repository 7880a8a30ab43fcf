package dev.promgate.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompactEvidenceTest {

  static final String REPO = "registry.acme.example/shop/web";
  static final String HEX = "ab".repeat(32);

  static List<Evidence> typical(String approver, String change) {
    return List.of(
        new SignatureEvidence("ci", "key sha256:9f2c", REPO + ":sha256-" + HEX + ".sig layer 0 (signed as " + REPO + ")"),
        new PromotionEvidence("release-managers", "key sha256:77ab", "prod", Instant.parse("2026-11-25T09:00:00Z"),
            Optional.of(approver), Optional.of("preprod"), Optional.of(change),
            Optional.of("https://ci.acme.example/runs/42"), false, Optional.of(Instant.parse("2026-12-25T09:00:00Z"))),
        new PromotionEvidence("release-managers", "key sha256:77ab", "preprod",
            Instant.parse("2026-11-20T07:00:00.250Z"), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), true, Optional.empty()),
        new AttestationEvidence("ci", "key sha256:9f2c", "https://slsa.dev/provenance/v1",
            Optional.of("predicate.x")),
        new AttestationEvidence("ci", "key sha256:9f2c", "https://example.com/scan/v1", Optional.empty()),
        new SignatureEvidence("ünïcode", "", ""),
        // evidence that ends: a Notation signature's expiry, a certificate chain checked as valid now
        new SignatureEvidence("acr", "x509.subject \"CN=release\"", REPO + "@sha256:" + HEX + " (referrer)",
            Optional.of(Instant.parse("2027-01-01T00:00:00.5Z"))),
        new AttestationEvidence("pki", "ci@acme.example", "https://slsa.dev/provenance/v1", Optional.empty(),
            Optional.of(Instant.parse("2052-02-16T14:28:40Z"))));
  }

  @Test
  void roundTripsEveryFieldExactly() {
    CompactEvidence c = new CompactEvidence();
    for (int i = 0; i < 3; i++) {
      List<Evidence> evidence = typical("alice@acme.example", "CHG-" + i);
      assertEquals(evidence, c.unpack(c.pack(evidence, REPO, HEX), REPO, HEX));
    }
  }

  @Test
  void separatorsQuotesMarkersAndNonAsciiInTextsSurviveThePacking() {
    CompactEvidence c = new CompactEvidence();
    for (String tricky : List.of("Doe, John", "\"quoted\", and, more", "Ærøskøbing・本番", ", ", "",
        "\u0001\u0002 markers " + HEX + " " + REPO, REPO + "@sha256:" + HEX)) {
      List<Evidence> evidence = typical(tricky, tricky);
      for (int i = 0; i < 2; i++) { // the second time, repeated texts are packed by number
        List<Evidence> back = c.unpack(c.pack(evidence, REPO, HEX), REPO, HEX);
        assertEquals(evidence, back, tricky);
        assertEquals(evidence.get(1).text(), back.get(1).text(), tricky);
      }
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
