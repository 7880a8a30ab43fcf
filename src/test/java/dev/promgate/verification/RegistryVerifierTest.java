package dev.promgate.verification;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.ImageReference;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.registry.Descriptor;
import dev.promgate.registry.RegistryClient;
import dev.promgate.testing.Await;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerificationRequest;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How registry trouble becomes a verdict: never "unsigned" when promgate could not look. */
class RegistryVerifierTest {

  static final ImageReference IMAGE = ImageReference.parse("registry.acme.example/shop/web@sha256:" + "ab".repeat(32));

  @Test
  void aRegistryTheClientDoesNotAllowYetIsUnverifiableNotARejection() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      RegistryClient client = RegistryClient.builder(vertx).registries(List.of()).build();
      RegistryVerifier verifier = new RegistryVerifier(vertx, client, Clock.systemUTC(), 1);
      var ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
      EnvironmentRules rules = TestPolicies.signedBy("prod", ci);
      Verdict v = Await.result(verifier.verify(new VerificationRequest(IMAGE, "prod",
              List.of(new VerificationRequest.PolicyRules("shop", rules))), Instant.now().plusSeconds(5)));
      Verdict.Unverifiable u = assertInstanceOf(Verdict.Unverifiable.class, v);
      assertTrue(u.category() == Verdict.Unverifiable.Category.NOT_ALLOWED, u.toString());
      verifier.close();
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  void aRejectionWhileListedContentWasNotServedIsUnverifiable() {
    Descriptor layer = Descriptor.of("application/vnd.dev.cosign.simplesigning.v1+json",
        "payload".getBytes(StandardCharsets.UTF_8));
    var found = new dev.promgate.registry.Attachments(IMAGE, Optional.empty(), Optional.empty(), Optional.empty(),
        List.of(), List.of(), dev.promgate.registry.Attachments.ReferrersSource.TAG_SCHEMA,
        List.of(new dev.promgate.registry.Attachments.Unavailable(layer, IMAGE.name() + ":sha256-ab.sig", "404")), 3);
    Verdict rejected = Verdict.Rejected.because("is not signed by ci", "cosign sign");
    Verdict v = RegistryVerifier.missingContent(found, rejected);
    Verdict.Unverifiable u = assertInstanceOf(Verdict.Unverifiable.class, v);
    assertTrue(u.cause().contains("lists content it does not serve"), u.cause());

    Verdict verified = new Verdict.Verified(List.of());
    assertSame(verified, RegistryVerifier.missingContent(found, verified), "what verified without it stands");
  }

}
