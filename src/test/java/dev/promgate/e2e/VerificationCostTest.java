package dev.promgate.e2e;

import static dev.promgate.testing.CosignSigner.PROMOTION;
import static dev.promgate.testing.CosignSigner.SLSA_PROVENANCE_V1;
import static dev.promgate.testing.CosignSigner.promotion;
import static dev.promgate.testing.CosignSigner.slsaProvenance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.e2e.Webhook.Metrics;
import dev.promgate.image.ImageReference;
import dev.promgate.testing.CosignSigner;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestImages;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a decision costs, counted from the server's own metrics ({@code GET /metrics}): registry
 * requests ({@code promgate_registry_requests_total} for the test registry), verifications
 * ({@code promgate_verification_seconds_count}) and cache lookups. Counts, not times: nothing here
 * depends on how fast the machine is.
 *
 * <p>The first test must run first: the first verification against a registry also probes whether
 * it has the OCI referrers API (distribution 2.8 has not), which later verifications skip.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerificationCostTest {

  /** The issue's budget for a cold digest with one signature and two attestations. */
  static final int COLD_BUDGET = 6;

  @TempDir static Path work;
  static LocalRegistry registry;
  static TestImages images;
  static Webhook webhook;
  static final CosignSigner ci = CosignSigner.generate();
  static final CosignSigner releaseManagers = CosignSigner.generate();

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.start();
    images = new TestImages(registry);
    Path policies = Webhook.writePolicies(work.resolve("policies"), Map.of(
        "gate.yaml", Webhook.gateConfig(registry.host(), ""),
        "shop.yaml", KeyBasedPromotionTest.shopPolicy(registry.host()),
        "ci.pub", ci.publicKeyPem(),
        "release-managers.pub", releaseManagers.publicKeyPem()));
    webhook = Webhook.start(policies, work.resolve("certs"), Optional.empty());
  }

  @AfterAll
  static void stop() throws Exception {
    if (webhook != null) {
      webhook.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  /**
   * A fresh image with one signature ({@code .sig}, one layer) and two attestations ({@code .att}
   * with two layers: a preprod promotion and SLSA provenance) — admitted in preprod.
   */
  static ImageReference signedWithTwoAttestations() {
    return signedWithTwoAttestations(images.pushImage("shop/web", null));
  }

  static ImageReference signedWithTwoAttestations(TestImages.Pushed pushed) {
    ImageReference image = pushed.pinned();
    images.pushCosignSignatures(image, List.of(ci.signature(image)));
    images.pushCosignAttestations(image, List.of(
        releaseManagers.attestation(image, PROMOTION,
            promotion("preprod", Instant.now().minus(1, ChronoUnit.DAYS), "alice@acme.example")),
        ci.attestation(image, SLSA_PROVENANCE_V1, slsaProvenance("https://ci.acme.example/build/v1"))));
    return image;
  }

  static Map<String, Double> difference(Map<String, Double> after, Map<String, Double> before) {
    Map<String, Double> d = new HashMap<>(after);
    before.forEach((k, v) -> d.merge(k, -v, Double::sum));
    d.values().removeIf(v -> v == 0);
    return d;
  }

  static void assertAllowed(Answer a) {
    assertTrue(a.allowed(), a.toString());
  }

  @Test
  @Order(1)
  void aColdDigestWithOneSignatureAndTwoAttestationsTakesAtMostSixRegistryRequests() throws Exception {
    Metrics start = webhook.metrics();
    assertAllowed(webhook.admit("preprod", Reviews.pod("shop-preprod", signedWithTwoAttestations().toString())));
    Metrics afterFirst = webhook.metrics();
    assertAllowed(webhook.admit("preprod", Reviews.pod("shop-preprod", signedWithTwoAttestations().toString())));
    Metrics afterSecond = webhook.metrics();

    double first = afterFirst.registryRequests(registry.host()) - start.registryRequests(registry.host());
    double second = afterSecond.registryRequests(registry.host()) - afterFirst.registryRequests(registry.host());
    Map<String, Double> firstByEndpoint = difference(afterFirst.registryRequestsByEndpoint(registry.host()),
        start.registryRequestsByEndpoint(registry.host()));
    Map<String, Double> secondByEndpoint = difference(afterSecond.registryRequestsByEndpoint(registry.host()),
        afterFirst.registryRequestsByEndpoint(registry.host()));
    // Printed for docs/benchmarks.md; the assertions below are the contract.
    System.out.println("registry requests for a cold digest (1 signature, 2 attestations): first verification "
        + "against the registry " + (long) first + " " + firstByEndpoint + "; once the registry is known to lack "
        + "the referrers API " + (long) second + " " + secondByEndpoint);

    assertTrue(second <= COLD_BUDGET, "a cold digest took " + second + " registry requests: " + secondByEndpoint);
    assertEquals(second + 1, first, "the first verification probes the referrers API once more: "
        + firstByEndpoint + " versus " + secondByEndpoint);
    assertEquals(2, afterSecond.verifications() - start.verifications());
  }

  @Test
  @Order(2)
  void twentyContainersWithTheSameDigestCostOneVerification() throws Exception {
    ImageReference image = signedWithTwoAttestations();
    // The same digest written two ways (repo@digest and repo:tag@digest): the request dedups equal
    // strings, the verdict cache (keyed by digest, never by tag) coalesces the rest.
    String[] containers = new String[20];
    for (int i = 0; i < containers.length; i++) {
      containers[i] = i % 2 == 0 ? image.toString() : registry.host() + "/shop/web:1.0@" + image.digest();
    }
    Metrics before = webhook.metrics();
    Answer a = webhook.admit("preprod", Reviews.pod("shop-preprod", containers));
    assertAllowed(a);
    Metrics after = webhook.metrics();

    assertEquals(1, after.verifications() - before.verifications(), "verifications");
    assertEquals(1, after.cacheLookups("miss") - before.cacheLookups("miss"), "cache misses");
    double requests = after.registryRequests(registry.host()) - before.registryRequests(registry.host());
    assertTrue(requests <= COLD_BUDGET, "one verification's worth of registry requests, took " + requests);
  }

  /** A Notation signature referrer of {@code image} (its envelope is never read here). */
  static void notationSigned(TestImages.Pushed image) {
    images.pushReferrer(image, NOTATION_SIGNATURE,
        List.of(TestImages.Layer.of("application/jose+json", "{\"payload\":\"\",\"signatures\":[]}")), Map.of());
  }

  static final String NOTATION_SIGNATURE = "application/vnd.cncf.notary.signature";

  double requestsToAdmit(String image, boolean allowed) throws Exception {
    Metrics before = webhook.metrics();
    Answer a = webhook.admit("preprod", Reviews.pod("shop-preprod", image));
    assertEquals(allowed, a.allowed(), a.toString());
    return webhook.metrics().registryRequests(registry.host()) - before.registryRequests(registry.host());
  }

  @Test
  @Order(3)
  void aNotationSignatureIsNotDownloadedWhenNoPolicyInForceTrustsNotation() throws Exception {
    double plain = requestsToAdmit(signedWithTwoAttestations().toString(), true);
    TestImages.Pushed alsoNotationSigned = images.pushImage("shop/web", null);
    notationSigned(alsoNotationSigned);
    double withNotation = requestsToAdmit(signedWithTwoAttestations(alsoNotationSigned).toString(), true);

    assertEquals(plain, withNotation, "the Notation referrer's manifest and envelope are not fetched");
  }

  @Test
  @Order(4)
  void aDigestSignedOnlyWithNotationIsDeniedSayingNoAuthorityReadsItWithoutDownloadingIt() throws Exception {
    double unsigned = requestsToAdmit(images.pushImage("shop/web", null).pinned().toString(), false);
    TestImages.Pushed onlyNotation = images.pushImage("shop/web", null);
    notationSigned(onlyNotation);
    Metrics before = webhook.metrics();
    Answer a = webhook.admit("preprod", Reviews.pod("shop-preprod", onlyNotation.pinned().toString()));
    double requests = webhook.metrics().registryRequests(registry.host()) - before.registryRequests(registry.host());

    assertFalse(a.allowed());
    assertTrue(a.message().contains("is not signed by ci (found: 1 Notation signature, not read: no authority "
        + "required here is a notation authority)"), a.message());
    assertEquals(unsigned, requests, "listed, not downloaded");
  }

  @Test
  @Order(5)
  void aDigestAdmittedBeforeCostsNoRegistryRequest() throws Exception {
    ImageReference image = signedWithTwoAttestations();
    assertAllowed(webhook.admit("preprod", Reviews.pod("shop-preprod", image.toString())));

    Metrics before = webhook.metrics();
    assertAllowed(webhook.admit("preprod", Reviews.pod("shop-preprod", image.toString())));
    assertAllowed(webhook.admit("preprod", Reviews.deployment("shop-preprod", image.toString())));
    Metrics after = webhook.metrics();

    assertEquals(0, after.registryRequests(registry.host()) - before.registryRequests(registry.host()),
        "registry requests for a cached digest");
    assertEquals(0, after.verifications() - before.verifications(), "verifications for a cached digest");
    assertEquals(2, after.cacheLookups("hit") - before.cacheLookups("hit"), "cache hits");
  }
}
