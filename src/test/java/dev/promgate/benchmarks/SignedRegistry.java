package dev.promgate.benchmarks;

import dev.promgate.image.ImageReference;
import dev.promgate.testing.CosignSigner;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * A real local registry (Debian's docker-registry) with signed and promoted images, and a policy
 * directory that requires exactly that for prod: a CI signature and promotions to preprod and prod
 * by release managers — one {@code .sig} layer and two {@code .att} layers per digest.
 */
final class SignedRegistry implements AutoCloseable {

  final LocalRegistry registry = LocalRegistry.start();
  final TestImages images = new TestImages(registry);
  final CosignSigner ci = CosignSigner.generate();
  final CosignSigner release = CosignSigner.generate();
  final Path policies;

  SignedRegistry(Path work) {
    try {
      policies = Files.createDirectories(work.resolve("policies"));
      Files.writeString(policies.resolve("ci.pub"), ci.publicKeyPem());
      Files.writeString(policies.resolve("release-managers.pub"), release.publicKeyPem());
      Files.writeString(policies.resolve("gate.yaml"), """
          apiVersion: promgate.dev/v1alpha1
          kind: GateConfig
          metadata: {name: gate}
          spec:
            defaultEnvironment: prod
            registries:
              - host: %s
                insecure: true
          """.formatted(registry.host()));
      Files.writeString(policies.resolve("shop.yaml"), """
          apiVersion: promgate.dev/v1alpha1
          kind: PromotionPolicy
          metadata: {name: shop}
          spec:
            images: ["%s/**"]
            authorities:
              - {name: ci, key: {publicKeyFile: ci.pub}}
              - {name: release-managers, key: {publicKeyFile: release-managers.pub}}
            environments:
              preprod:
                signatures: [ci]
                promotions:
                  - {environment: preprod, signedBy: [release-managers]}
              prod:
                signatures: [ci]
                promotions:
                  - {environment: preprod, signedBy: [release-managers]}
                  - {environment: prod, signedBy: [release-managers], maxAge: 720h}
          """.formatted(registry.host()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pushes a new image, signs it and promotes it to preprod and prod; returns it pinned. */
  ImageReference pushPromoted(String repository) {
    ImageReference image = images.pushImage(repository, "build-" + System.nanoTime()).pinned();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    images.pushCosignSignatures(image, List.of(ci.signature(image)));
    images.pushCosignAttestations(image, List.of(
        release.attestation(image, CosignSigner.PROMOTION, CosignSigner.promotion("preprod", now.minusSeconds(7200), "alice@acme.example")),
        release.attestation(image, CosignSigner.PROMOTION, CosignSigner.promotion("prod", now.minusSeconds(60), "bob@acme.example"))));
    return image;
  }

  /**
   * As {@link #pushPromoted}, plus {@code referrers} OCI referrers of other artifact types (an SBOM
   * each, with a small layer) in the image's referrers index: what a busy registry attaches.
   */
  ImageReference pushPromotedWithReferrers(String repository, int referrers) {
    TestImages.Pushed pushed = images.pushImage(repository, "build-" + System.nanoTime());
    ImageReference image = pushed.pinned();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    images.pushCosignSignatures(image, List.of(ci.signature(image)));
    images.pushCosignAttestations(image, List.of(
        release.attestation(image, CosignSigner.PROMOTION, CosignSigner.promotion("preprod", now.minusSeconds(7200), "alice@acme.example")),
        release.attestation(image, CosignSigner.PROMOTION, CosignSigner.promotion("prod", now.minusSeconds(60), "bob@acme.example"))));
    for (int i = 0; i < referrers; i++) {
      TestImages.Pushed sbom = images.pushReferrerManifest(pushed, "application/spdx+json",
          List.of(TestImages.Layer.of("application/spdx+json", "{\"spdxVersion\":\"SPDX-2.3\",\"n\":" + i + "}")),
          java.util.Map.of());
      images.addToReferrersTag(pushed, sbom, "application/spdx+json", java.util.Map.of());
    }
    return image;
  }

  @Override
  public void close() {
    registry.close();
  }
}
