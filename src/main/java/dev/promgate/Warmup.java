package dev.promgate;

import dev.promgate.admission.AdmissionCall;
import dev.promgate.admission.AdmissionReviews;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.Glob;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.Evidence;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.PromotionEvidence;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictSource;
import dev.promgate.verification.RequirementsEvaluator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Startup warm-up, so that the first real admission is not the slow one: the decision path is run
 * over a synthetic review until the JIT has compiled it, and a connection (with its TLS session) is
 * opened to every allowed registry. Readiness waits for it, within a budget.
 *
 * <p>The synthetic decisions use their own judge, whose verdicts are made up on the spot: they
 * never reach the verdict cache, the decision log, the metrics or a registry. Their images lie in
 * repositories the policies govern where one can be named from a policy's globs, so the cached-
 * verdict path is the one compiled; otherwise the denial path is.
 */
final class Warmup {

  private static final Logger LOG = Logger.getLogger(Warmup.class.getName());
  /** Enough decisions for the hot methods to reach the optimizing compiler. */
  static final int DECISIONS = 20_000;

  private Warmup() {}

  /**
   * Runs the decision path over a synthetic review, on the calling thread (a worker), until
   * {@code decisions} are made or {@code budget} is spent.
   *
   * @return how many decisions were made
   */
  static int decisions(PolicySet set, int decisions, Duration budget) {
    if (set.isNone()) {
      return 0;
    }
    String environment = set.environments().stream().findFirst().orElse("");
    if (environment.isEmpty()) {
      return 0;
    }
    Clock clock = Clock.systemUTC();
    ImageJudge judge = new ImageJudge(syntheticVerdicts(clock.instant()), TagResolver.NONE);
    AdmissionPipeline pipeline = new AdmissionPipeline(() -> set, judge, Optional.empty(),
        DecisionLog.utf8(line -> { }), clock, new SimpleMeterRegistry());
    byte[] review = review(images(set));
    EnvironmentResolver.Route route = new EnvironmentResolver.Named(environment);
    long end = System.nanoTime() + budget.toNanos();
    int made = 0;
    while (made < decisions && System.nanoTime() < end) {
      AdmissionCall call = AdmissionReviews.read(review).call().orElseThrow();
      Future<Decision> decided = pipeline.admit(call, route);
      Decision d = decided.result();
      if (d == null) {
        break; // not synchronous: nothing more to learn here
      }
      AdmissionReviews.write(call.uid(), d.allowed(), 403, d.message(), d.warnings(), d.annotations());
      made++;
    }
    return made;
  }

  /** Enough verifications for signature checking to reach the optimizing compiler. */
  static final int VERIFICATIONS = 400;

  /**
   * Verifies a synthetic signed and promoted digest ({@link SyntheticSignatures}) with the checks a
   * real one goes through — cosign signature, DSSE promotion attestation, ECDSA, JSON — on the
   * calling thread (a worker), until {@code verifications} are made or {@code budget} is spent.
   *
   * @return how many verifications were made; fewer if one did not verify (then the rest is skipped)
   */
  static int verifications(int verifications, Duration budget) {
    SyntheticSignatures synthetic = SyntheticSignatures.create();
    RequirementsEvaluator evaluator = new RequirementsEvaluator(Clock.systemUTC());
    long end = System.nanoTime() + budget.toNanos();
    int made = 0;
    while (made < verifications && System.nanoTime() < end) {
      Verdict v = evaluator.evaluate(synthetic.request(), synthetic.content());
      if (!(v instanceof Verdict.Verified)) {
        LOG.fine("warm-up verification did not verify, skipped: " + v);
        break;
      }
      made++;
    }
    return made;
  }

  /** A verdict for any digest: verified with the evidence a real verification leaves. */
  private static VerdictSource syntheticVerdicts(Instant now) {
    List<Evidence> evidence = List.of(
        new SignatureEvidence("warm-up", "key sha256:000000000000", "warm-up.sig layer 0"),
        new PromotionEvidence("warm-up", "key sha256:000000000000", "warm-up", now, Optional.of("warm-up"),
            Optional.empty(), Optional.of("warm-up"), Optional.empty(), false, Optional.empty()));
    Lookup lookup = new Lookup(new Verdict.Verified(evidence), CacheSource.HIT);
    return (request, deadline) -> Future.succeededFuture(lookup);
  }

  /**
   * Three images in repositories a policy governs, named from its globs ({@code **} and {@code *}
   * filled in); where no glob gives one, an image in the first allowed registry.
   */
  static List<String> images(PolicySet set) {
    List<String> images = new ArrayList<>();
    for (PromotionPolicy policy : set.policies()) {
      for (Glob glob : policy.images()) {
        String repository = glob.toString().replace("**", "promgate-warm-up/app").replace("*", "warm-up")
            .replace("?", "w");
        if (!set.governing(repository).isEmpty()) {
          images.add(repository);
        }
      }
    }
    if (images.isEmpty()) {
      images.add(set.gate().registries().stream().findFirst().map(GateConfig.RegistrySettings::host)
          .orElse("registry.invalid") + "/promgate-warm-up/app");
    }
    List<String> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(images.get(i % images.size()) + "@sha256:" + HexFormat.of().toHexDigits((long) i).repeat(4));
    }
    return three;
  }

  private static byte[] review(List<String> images) {
    StringBuilder containers = new StringBuilder();
    for (int i = 0; i < images.size(); i++) {
      if (i > 0) {
        containers.append(',');
      }
      containers.append("{\"name\":\"c").append(i).append("\",\"image\":\"").append(images.get(i))
          .append("\",\"env\":[{\"name\":\"A\",\"value\":\"b\"}],\"ports\":[{\"containerPort\":8080}]}");
    }
    String review = """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
        "uid":"00000000-0000-0000-0000-000000000000","kind":{"group":"","version":"v1","kind":"Pod"},
        "resource":{"group":"","version":"v1","resource":"pods"},"namespace":"warm-up",
        "operation":"CREATE","userInfo":{"username":"promgate-warm-up"},"name":"warm-up",
        "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"warm-up","namespace":"warm-up",
        "labels":{"app":"warm-up"}},"spec":{"containers":[%s]}}}}
        """.formatted(containers);
    return review.getBytes(StandardCharsets.UTF_8);
  }

  static void log(int decisions, int verifications, Duration took, int registries) {
    LOG.info("warmed up: " + decisions + " synthetic decisions, " + verifications + " synthetic verifications, "
        + "connections to " + registries + " registr" + (registries == 1 ? "y" : "ies") + ", in " + took.toMillis()
        + " ms");
  }
}
