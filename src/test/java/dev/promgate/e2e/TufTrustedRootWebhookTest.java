package dev.promgate.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.image.Digest;
import dev.promgate.testing.Await;
import dev.promgate.testing.Fixtures;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestImages;
import dev.promgate.testing.TestImages.Layer;
import dev.promgate.testing.TestImages.Pushed;
import dev.promgate.testing.TestTufRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyless authority whose trusted root comes from a TUF mirror, end to end: the webhook starts
 * with nothing cached (its first answers for the image are Unverifiable, never a rejection), fetches
 * and verifies the root from the mirror this test serves over loopback, reloads its policies with it
 * and admits cosign v3's real signature; it reports the root's age in {@code /metrics}, and keeps
 * admitting while the mirror is down.
 */
class TufTrustedRootWebhookTest {

  static final Digest IMAGE = SignatureFormatsWebhookTest.KUBEWARDEN_IMAGE;

  @TempDir static Path work;
  static LocalRegistry registry;
  static TestTufRepository tuf;
  static Webhook webhook;

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.start();
    TestImages images = new TestImages(registry);
    Pushed subject = new Pushed(registry.reference("kubewarden/kubewarden-controller@" + IMAGE),
        TestImages.OCI_MANIFEST, new byte[0], Optional.empty());
    images.pushReferrer(subject, TestImages.SIGSTORE_BUNDLE_V03, List.of(Layer.of(TestImages.SIGSTORE_BUNDLE_V03,
        Files.readAllBytes(Fixtures.path("cosign-v3", "bundle_v03.json")))), Map.of());
    tuf = TestTufRepository.start(Files.readAllBytes(Fixtures.path("sigstore-trusted-roots", "production_trusted_root.json")),
        Instant.now().plus(Duration.ofDays(30)));
    Path policies = Webhook.writePolicies(work.resolve("policies"), Map.of("gate.yaml", """
        apiVersion: promgate.dev/v1alpha1
        kind: GateConfig
        spec:
          defaultEnvironment: prod
          registries:
            - {host: "%s", insecure: true}
          trustedRootMirrors:
            - {host: "%s", insecure: true}
        """.formatted(registry.host(), tuf.host()), "release.yaml", """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: release}
        spec:
          images: ["%s/kubewarden/**"]
          authorities:
            - name: release
              keyless:
                trustedRoot:
                  tuf: {mirror: "%s", root: tuf-root.json, cache: "%s"}
                identities:
                  - {issuer: "%s", subject: "%s"}
          environments:
            prod: {signatures: [release]}
        """.formatted(registry.host(), tuf.mirror(), work.resolve("tuf-cache"), SignatureFormatsWebhookTest.ACTIONS,
        SignatureFormatsWebhookTest.KUBEWARDEN)));
    tuf.writeInitialRoot(policies.resolve("tuf-root.json"));
    webhook = Webhook.start(policies, work.resolve("certs"), Optional.empty());
  }

  @AfterAll
  static void stop() throws Exception {
    if (webhook != null) {
      webhook.close();
    }
    if (tuf != null) {
      tuf.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  static Answer deploy() throws Exception {
    return webhook.admit("prod", Reviews.pod("shop-prod", registry.host() + "/kubewarden/kubewarden-controller@" + IMAGE));
  }

  /** Asks until the webhook admits; every denial on the way must be Unverifiable, never a rejection. */
  static Answer admittedOnceTheRootIsVerified() {
    AtomicReference<Answer> last = new AtomicReference<>();
    Await.until("the webhook admits with the root from " + tuf.mirror(), () -> {
      Answer a = deploy();
      last.set(a);
      assertTrue(a.allowed() || a.message().contains("could not be verified (trusted-root): the trusted root from TUF "
          + "mirror " + tuf.mirror() + " has not been verified from its mirror yet"), "never a rejection: " + a.message());
      return a.allowed();
    });
    return last.get();
  }

  @Test
  void theRootFromTheMirrorVerifiesCosignV3AndItsAgeIsReported() throws Exception {
    Answer a = admittedOnceTheRootIsVerified();
    assertTrue(a.allowed(), a.toString());
    String metrics = webhook.metrics().text();
    assertTrue(metrics.contains("promgate_trusted_root_age_seconds{mirror=\"" + tuf.mirror() + "\"}"), metrics);
    assertTrue(metrics.contains("promgate_trusted_root_refreshes_total{mirror=\"" + tuf.mirror() + "\",outcome=\"new\"} 1.0"),
        metrics);

    tuf.down(true);
    assertTrue(deploy().allowed(), "the verified root stays in use while the mirror is down");
  }
}
