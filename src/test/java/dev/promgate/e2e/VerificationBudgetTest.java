package dev.promgate.e2e;

import static dev.promgate.testing.CosignSigner.PROMOTION;
import static dev.promgate.testing.CosignSigner.promotion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.image.ImageReference;
import dev.promgate.testing.CosignSigner;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.StallingProxy;
import dev.promgate.testing.TestImages;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verification budget is a deadline for the answer: with the registry's answers held back by a
 * proxy until the test lets them go, the webhook still answers — every image it could not verify
 * Unverifiable (timeout), never admitted — and once the registry answers again, the same digests
 * are verified and admitted. The proxy holds for as long as the test wants: nothing here depends on
 * how fast anything runs, beyond the budget in the GateConfig.
 */
class VerificationBudgetTest {

  @TempDir static Path work;
  static LocalRegistry registry;
  static StallingProxy proxy;
  static TestImages images;
  static Webhook webhook;
  static final CosignSigner ci = CosignSigner.generate();
  static final CosignSigner releaseManagers = CosignSigner.generate();

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.start();
    proxy = new StallingProxy(registry.host());
    images = new TestImages(registry);
    Path policies = Webhook.writePolicies(work.resolve("policies"), Map.of(
        "gate.yaml", Webhook.gateConfig(proxy.host(), """
              timeouts: {verification: 5s}
            """),
        "shop.yaml", KeyBasedPromotionTest.shopPolicy(proxy.host()),
        "ci.pub", ci.publicKeyPem(),
        "release-managers.pub", releaseManagers.publicKeyPem()));
    webhook = Webhook.start(policies, work.resolve("certs"), Optional.empty());
  }

  @AfterAll
  static void stop() throws Exception {
    if (webhook != null) {
      webhook.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  /** A digest signed by ci and promoted to preprod, named through the proxy. */
  static String promotedToPreprod() {
    ImageReference image = images.pushImage("shop/web", null).pinned();
    images.pushCosignSignatures(image, List.of(ci.signature(image)));
    images.pushCosignAttestations(image, List.of(releaseManagers.attestation(image, PROMOTION,
        promotion("preprod", Instant.now().minus(1, ChronoUnit.DAYS), "alice@acme.example"))));
    return proxy.host() + "/shop/web@" + image.digest();
  }

  @Test
  void theAnswerLeavesByTheBudgetWhileTheRegistryHoldsItsAnswersAndTheDigestsPassOnceItAnswers() throws Exception {
    // One verification first, so that the held one below is not also the first on a cold path.
    assertTrue(webhook.admit("preprod", Reviews.pod("shop-preprod", promotedToPreprod())).allowed());
    String a = promotedToPreprod();
    String b = promotedToPreprod();

    proxy.hold();
    Answer held;
    try {
      held = webhook.admit("preprod", Reviews.pod("shop-preprod", a, b));
    } finally {
      proxy.release();
    }

    assertFalse(held.allowed(), held.toString());
    assertEquals(2, held.message().split("could not be verified \\(timeout\\)", -1).length - 1,
        "both images timed out: " + held.message());
    assertFalse(held.message().contains("unsigned"), held.message());

    // The held verifications go on after the answer, until the first request's deadline. A request
    // that joins one of them is not bound by that deadline: if it ends them, this one asks again.
    Answer answered = webhook.admit("preprod", Reviews.pod("shop-preprod", a, b));
    assertTrue(answered.allowed(), answered.toString());
  }
}
