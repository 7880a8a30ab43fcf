package dev.promgate.e2e;

import static dev.promgate.testing.CosignSigner.PROMOTION;
import static dev.promgate.testing.CosignSigner.promotion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.AdmissionPipeline;
import dev.promgate.Server;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.testing.Await;
import dev.promgate.testing.CosignSigner;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.ShiftedTime;
import dev.promgate.testing.TestImages.Pushed;
import dev.promgate.testing.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A registry outage: known-good digests keep deploying from the verdict cache — past their TTL as
 * {@code stale} verdicts, within {@code staleIfError} — while anything promgate has not verified
 * is denied as Unverifiable with the registry problem named, never as "unsigned".
 *
 * <p>Before the tests a digest is admitted once, then the registry process is stopped for good;
 * every test runs during the outage. The cached verdict outlives its TTL when a test moves the
 * servers' time past it ({@link ShiftedTime}), not by waiting.
 *
 * <p>Two views of the same wiring: the HTTPS webhook (responses and {@code /metrics}), and the
 * pipeline as {@code Server} builds it ({@link Server#offlinePipeline}, the same registry client,
 * verifier and cache), whose decision log lines a test can read.
 */
class RegistryOutageTest {

  static final Duration TTL = Duration.ofHours(1);
  /** The time of both servers: real, so that their registry I/O times out as it should, plus what a test adds. */
  static final ShiftedTime time = new ShiftedTime();

  @TempDir static Path work;
  static LocalRegistry registry;
  static String host;
  static Webhook webhook;
  static Vertx vertx;
  static AdmissionPipeline pipeline;
  static final List<String> decisionLog = new CopyOnWriteArrayList<>();
  static final CosignSigner ci = CosignSigner.generate();
  static final CosignSigner releaseManagers = CosignSigner.generate();
  static ImageReference known;
  static ImageReference unseen;
  static Pushed tagged;

  @BeforeAll
  static void startThenStopTheRegistry() throws Exception {
    registry = LocalRegistry.start();
    host = registry.host();
    TestImages images = new TestImages(registry);
    Path policies = Webhook.writePolicies(work.resolve("policies"), Map.of(
        "gate.yaml", Webhook.gateConfig(host, """
              cache: {ttl: 1h, negativeTtl: 1s, staleIfError: 24h}
            """),
        "shop.yaml", KeyBasedPromotionTest.shopPolicy(host),
        "ci.pub", ci.publicKeyPem(),
        "release-managers.pub", releaseManagers.publicKeyPem()));
    webhook = Webhook.start(policies, work.resolve("certs"), Optional.empty(), time, time);
    vertx = Vertx.vertx();
    PolicyLoadResult loaded = PolicyLoader.load(policies);
    pipeline = Await.result(vertx.executeBlocking(() -> Server.offlinePipeline(vertx,
            assertInstanceOf(PolicyLoadResult.Loaded.class, loaded, loaded.toString()).policies(), Optional.empty(),
            new DecisionLog(decisionLog::add), time, time, new SimpleMeterRegistry())));

    known = promotedToPreprod(images);
    unseen = promotedToPreprod(images);
    tagged = images.pushImage("shop/web", "1.4");

    assertTrue(webhook.admit("preprod", review(known)).allowed());
    assertTrue(decide(known).allowed());
    assertEquals("miss", lastLoggedImage().path("cache").asText());

    registry.close();
  }

  @AfterAll
  static void stop() throws Exception {
    if (webhook != null) {
      webhook.close();
    }
    if (vertx != null) {
      Await.result(vertx.close());
    }
    if (registry != null) {
      registry.close();
    }
  }

  static ImageReference promotedToPreprod(TestImages images) {
    ImageReference image = images.pushImage("shop/web", null).pinned();
    images.pushCosignSignatures(image, List.of(ci.signature(image)));
    images.pushCosignAttestations(image, List.of(releaseManagers.attestation(image, PROMOTION,
        promotion("preprod", Instant.now().minus(1, ChronoUnit.DAYS), "alice@acme.example"))));
    return image;
  }

  static ObjectNode review(ImageReference image) {
    return Reviews.deployment("shop-preprod", image.toString());
  }

  static Decision decide(ImageReference image) throws Exception {
    return Await.result(pipeline.admit(Reviews.call(review(image)), new EnvironmentResolver.Named("preprod")));
  }

  /** The image entry of the newest decision log line. */
  static JsonNode lastLoggedImage() throws Exception {
    return Reviews.JSON.readTree(decisionLog.get(decisionLog.size() - 1)).path("images").path(0);
  }

  @Test
  void aVerifiedDigestKeepsDeployingFromTheCacheAndIsServedStaleAfterItsTtl() throws Exception {
    // Within its TTL the verdict comes from the cache; no registry is asked.
    Answer fresh = webhook.admit("preprod", review(known));
    assertTrue(fresh.allowed(), fresh.toString());
    assertTrue(decide(known).allowed());
    assertEquals("hit", lastLoggedImage().path("cache").asText(), lastLoggedImage().toString());
    double verificationsBefore = webhook.metrics().verifications();

    time.advance(TTL.plusMinutes(1));

    // Past its TTL, within staleIfError: re-verification cannot reach the registry, the old verdict
    // is served and says so: a warning for the user, an audit annotation for auditors.
    Answer answer = webhook.admit("preprod", review(known));
    assertTrue(answer.allowed(), answer.toString());
    assertTrue(answer.warnings().stream().anyMatch(w -> w.contains("on an earlier verification")), answer.toString());
    assertTrue(webhook.metrics().cacheLookups("stale") > 0, "a stale lookup is counted");
    // It did try: the stale verdict is the fallback of a re-verification that could not reach the
    // registry (refused by the closed port, or at once by the circuit breaker the outage opened).
    Await.until("the re-verification is counted", () -> webhook.metrics().verifications() > verificationsBefore);

    Decision decision = decide(known);
    assertTrue(decision.allowed(), decision.toString());
    JsonNode logged = lastLoggedImage();
    assertEquals("allowed", logged.path("verdict").asText(), logged.toString());
    assertEquals("stale", logged.path("cache").asText(), logged.toString());
  }

  @Test
  void aDigestNotVerifiedBeforeIsDeniedAsUnverifiableNamingTheRegistry() throws Exception {
    Answer answer = webhook.admit("preprod", review(unseen));
    assertFalse(answer.allowed(), answer.toString());
    assertTrue(answer.message().contains("container \"web\": " + unseen + " could not be verified ("), answer.message());
    assertTrue(answer.message().contains(host), "names the registry: " + answer.message());
    assertTrue(answer.message().contains("promgate does not admit what it cannot verify — retry once the cause is "
        + "fixed"), answer.message());
    assertFalse(answer.message().contains("not signed"), "an outage is not a missing signature: " + answer.message());
    assertFalse(answer.message().contains("no promotion"), answer.message());

    Decision decision = decide(unseen);
    assertFalse(decision.allowed());
    assertEquals("unverifiable", lastLoggedImage().path("verdict").asText());
  }

  @Test
  void aTagIsStillDeniedButWithoutTheDigestHint() throws Exception {
    ImageReference reference = ImageReference.parse(host + "/shop/web:1.4");
    Answer answer = webhook.admit("preprod", Reviews.pod("shop-preprod", reference.toString()));
    assertFalse(answer.allowed(), answer.toString());
    assertTrue(answer.message().contains("container \"web\": " + reference + " uses the mutable tag \"1.4\"; images "
        + "must be referenced by digest; fix: pin it as " + host + "/shop/web@sha256:<digest>"), answer.message());
    assertFalse(answer.message().contains(tagged.digest().toString()), answer.message());
  }
}
