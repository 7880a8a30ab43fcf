package dev.promgate.verification;

import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.json.Mappers;
import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A trusted root says when each log key counts ({@code validFor}): a key that signed entries of a
 * shard that has since been frozen, or a key retired after a compromise, must not vouch for entries
 * made afterwards. An entry's own {@code integratedTime} dates it only when its SET signs that time;
 * without a SET anyone could have written the number, so the bundle's RFC 3161 timestamps date the
 * entry, and with none it counts as made now.
 */
class LogKeyValidityTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private static final ObjectMapper JSON = Mappers.JSON;
  private static final String BEACON = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
      + ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);
  private final Path suite = Fixtures.path("sigstore-conformance", "bundle-verify");
  private final Digest artifact = Digest.sha256Of(TestPolicies.bytes(Fixtures.path("sigstore-conformance", "a.txt")));

  private static String problem(Verdict v) {
    return assertInstanceOf(Verdict.Rejected.class, v, v::toString).reasons().get(0).problem();
  }

  /** The public-good Rekor key, retired at the end of 2023 (the key-signed entry is from 2025-12-18). */
  private Authority.Key keyWithRetiredLog() {
    Path root = RootEdits.withTlogValidity(productionRoot(), "https://rekor.sigstore.dev",
        "2021-01-12T11:53:27Z", "2024-01-01T00:00:00Z");
    return TestPolicies.loggedKey("k", suite.resolve("managed-key-happy-path/key.pub"), root);
  }

  /** The managed-key bundle with its SET dropped and its integrated time moved into the key's window. */
  private ObjectNode withoutSet() throws Exception {
    ObjectNode bundle = (ObjectNode) JSON.readTree(suite.resolve("managed-key-happy-path/bundle.sigstore.json").toFile());
    ObjectNode entry = (ObjectNode) bundle.at("/verificationMaterial/tlogEntries/0");
    entry.remove("inclusionPromise");
    entry.put("integratedTime", Long.toString(Instant.parse("2023-03-28T10:40:00Z").getEpochSecond()));
    return bundle;
  }

  @Test
  void anIntegratedTimeWithoutSetDoesNotDateTheEntry() throws Exception {
    String p = problem(BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(withoutSet()), "no-set", artifact,
        keyWithRetiredLog()));
    assertTrue(p.contains("signed with the key of k, but its Rekor entry was timestamped at 2025-12-18T17:04:39Z,"
        + " outside the validity of that log's key"), p);
  }

  @Test
  void withNeitherSetNorTimestampTheEntryCountsAsMadeNow() throws Exception {
    ObjectNode bundle = withoutSet();
    ((ObjectNode) bundle.get("verificationMaterial")).remove("timestampVerificationData");
    String p = problem(BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(bundle), "no-set", artifact,
        keyWithRetiredLog()));
    assertTrue(p.contains("its Rekor entry has no signed entry timestamp and no RFC 3161 timestamp, so it counts as"
        + " made now, 2026-11-26T12:00:00Z, outside the validity of that log's key"), p);
    ((ObjectNode) bundle.at("/verificationMaterial/tlogEntries/0")).remove("integratedTime");
    p = problem(BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(bundle), "no-set", artifact,
        keyWithRetiredLog()));
    assertTrue(p.contains("so it counts as made now, 2026-11-26T12:00:00Z, outside the validity"), p);
  }

  @Test
  void aCurrentLogKeyStillVouchesForAnEntryWithoutSetOrTimestamp() throws Exception {
    ObjectNode bundle = withoutSet();
    ((ObjectNode) bundle.get("verificationMaterial")).remove("timestampVerificationData");
    assertInstanceOf(Verdict.Verified.class, BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(bundle), "no-set",
        artifact, TestPolicies.loggedKey("k", suite.resolve("managed-key-happy-path/key.pub"), productionRoot())));
  }

  /**
   * A keyless Rekor v2 bundle under public-good rules, with the v2 shard frozen before the bundle's
   * timestamp: sigstore-java 2.0.0 does not look at the log key's validity for an entry without a
   * SET, so such bundles are checked by parts.
   */
  @Test
  void aRekorV2EntryAfterItsShardWasFrozenIsRejected() {
    Path dir = suite.resolve("rekor2-happy-path");
    Path frozen = RootEdits.withTlogValidity(dir.resolve("trusted_root.json"),
        "https://log2025-alpha1.rekor.sigstage.dev", "2025-04-16T00:00:00Z", "2025-04-17T00:00:00Z");
    Authority.Keyless publicGoodRules = TestPolicies.keyless("beacon", frozen,
        TestPolicies.identity("https://token.actions.githubusercontent.com", BEACON));
    String p = problem(BundleVerdicts.verify(evaluator, dir.resolve("bundle.sigstore.json"), artifact, publicGoodRules));
    assertTrue(p.contains("its Rekor entry was timestamped at 2025-06-12T12:02:20Z, outside the validity of that"
        + " log's key"), p);
    assertInstanceOf(Verdict.Verified.class, BundleVerdicts.verify(evaluator, dir.resolve("bundle.sigstore.json"),
        artifact, TestPolicies.keyless("beacon", dir.resolve("trusted_root.json"),
            TestPolicies.identity("https://token.actions.githubusercontent.com", BEACON))));
  }
}
