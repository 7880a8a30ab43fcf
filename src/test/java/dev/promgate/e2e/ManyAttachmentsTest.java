package dev.promgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.image.ImageReference;
import dev.promgate.testing.CosignSigner;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestImages;
import dev.promgate.testing.TestImages.Layer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anyone who can push can attach: many foreign signatures must neither hide a genuine one (no
 * blind cap) nor make promgate read without bound. Under {@code limits.maxAttachments: 70}, a
 * genuine signature after 60 foreign ones admits the image; 80 foreign ones make it Unverifiable,
 * naming the cap, never a Rejected that would be cached.
 */
class ManyAttachmentsTest {

  @TempDir static Path work;
  static LocalRegistry registry;
  static TestImages images;
  static Webhook webhook;
  static final CosignSigner ci = CosignSigner.generate();
  static final CosignSigner stranger = CosignSigner.generate();

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.start();
    images = new TestImages(registry);
    Path policies = Webhook.writePolicies(work.resolve("policies"), Map.of(
        "gate.yaml", Webhook.gateConfig(registry.host(), "  limits: {maxAttachments: 70}\n"),
        "shop.yaml", """
            apiVersion: promgate.dev/v1alpha1
            kind: PromotionPolicy
            metadata: {name: shop}
            spec:
              images: ["%s/shop/**"]
              authorities:
                - name: ci
                  key: {publicKeyFile: ci.pub}
              environments:
                dev: {signatures: [ci]}
                preprod: {signatures: [ci]}
                prod: {signatures: [ci]}
            """.formatted(registry.host()),
        "ci.pub", ci.publicKeyPem()));
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

  static ImageReference signedAfter(int foreign) {
    ImageReference image = images.pushImage("shop/web", null).pinned();
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < foreign; i++) {
      layers.add(stranger.signature(image));
    }
    layers.add(ci.signature(image));
    images.pushCosignSignatures(image, layers);
    return image;
  }

  @Test
  void aGenuineSignatureAfterSixtyForeignOnesIsFound() throws Exception {
    ImageReference image = signedAfter(60);
    Answer a = webhook.admit("prod", Reviews.deployment("shop-prod", image.toString()));
    assertTrue(a.allowed(), a.toString());
  }

  @Test
  void moreCandidatesThanTheCapAreUnverifiableNamingIt() throws Exception {
    ImageReference image = signedAfter(80);
    Answer a = webhook.admit("prod", Reviews.deployment("shop-prod", image.toString()));
    assertFalse(a.allowed(), a.toString());
    assertTrue(a.message().contains("81 layers that may count, more than the 70 promgate reads"), a.message());
    assertTrue(a.message().contains("spec.limits.maxAttachments"), a.message());
    assertFalse(a.message().contains("is not signed"), "not a rejection: " + a.message());
    // Asked again, the answer is the same: no Rejected was cached in between.
    Answer again = webhook.admit("prod", Reviews.deployment("shop-prod", image.toString()));
    assertEquals(a.message(), again.message());
  }
}
