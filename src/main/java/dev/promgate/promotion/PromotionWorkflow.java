package dev.promgate.promotion;

import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.Judgement;
import dev.promgate.judgement.Scope;
import dev.promgate.judgement.TagResolver;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.registry.RegistryClient;
import dev.promgate.verdict.VerdictSource;
import dev.promgate.verification.FoundPromotion;
import dev.promgate.verification.RegistryVerifier;
import dev.promgate.verification.RequirementsEvaluator;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The release manager's side of promgate: {@link #promote} makes a promotion, {@link #status}
 * shows what is promoted where and what to roll back to. Both use the registries, credentials and
 * requirements of one policy set, and judge digests with the webhook's own steps (registry
 * allow-list, governing policies, signature, promotion and attestation verification), without its
 * cache, so that what they report is what the registry holds now.
 *
 * <p>The methods block: they are command-line steps and read like the checklist they are. Never
 * call them on a Vert.x event loop.
 */
public final class PromotionWorkflow implements AutoCloseable {

  private final Vertx vertx;
  final PolicySet policies;
  final RegistryClient registry;
  private final RegistryVerifier verifier;
  private final ImageJudge judge;
  private final RequirementsEvaluator evaluator;
  final Clock clock;
  private final Duration budget;

  private PromotionWorkflow(Vertx vertx, PolicySet policies, Clock clock, Duration budget) {
    this.vertx = vertx;
    this.policies = policies;
    this.clock = clock;
    this.budget = budget;
    this.registry = RegistryClient.fromConfig(vertx, policies.gate(), null);
    this.verifier = new RegistryVerifier(vertx, registry, clock, 2);
    this.judge = new ImageJudge(VerdictSource.uncached(verifier), TagResolver.NONE);
    this.evaluator = new RequirementsEvaluator(clock);
  }

  /**
   * Tools over a loaded policy set, with their own Vert.x (closed by {@link #close()}). Reads CA
   * bundles: blocking.
   */
  public static PromotionWorkflow open(PolicySet policies, Clock clock) {
    Vertx vertx = Vertx.vertx();
    try {
      return new PromotionWorkflow(vertx, policies, clock, Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  /**
   * Promotes a digest: checks, signs, pushes where cosign would, and reads it back.
   *
   * <ol>
   *   <li>the environment (and {@code from}) are defined by the policies;</li>
   *   <li>the image is a valid reference on an allowed registry, governed by a policy;</li>
   *   <li>it is pinned by digest (a tag is refused, naming the digest it resolves to) and the digest
   *       exists;</li>
   *   <li>unless forced, it is admissible in the environment before ({@code from}, else the one the
   *       promotion chain names);</li>
   *   <li>the predicate is signed as an in-toto statement in a DSSE envelope and appended to
   *       {@code sha256-<hex>.att};</li>
   *   <li>read back: the promotion counts (the key is an authority for promotions to the
   *       environment), and the digest is admissible in the environment now.</li>
   * </ol>
   */
  public PromotionOutcome promote(PromotionRequest request, SigningKey key) {
    return new Promoter(this).promote(request, key);
  }

  /**
   * Reads the promotions of a repository: the digests named by cosign's {@code sha256-<hex>.att}
   * tags and by referrers tags ({@code sha256-<hex>}), each digest's promotions read and checked
   * against the authorities that count for their environment, each counted (digest, environment)
   * judged as the webhook would now, and the repository's other tags resolved to the digests they
   * point at. Registries that serve referrers only through the API (no tags) cannot be listed.
   *
   * @param repository  {@code registry/repository}, without tag or digest
   * @param environment only this environment, when given
   * @throws IllegalArgumentException when the repository or environment is not usable; the message says why
   */
  public StatusReport status(String repository, Optional<String> environment) {
    return new StatusReader(this).status(repository, environment);
  }

  // ---- shared by promote and status --------------------------------------------------------

  /**
   * The webhook's judgement of a pinned image against the signature requirement alone of an
   * environment (its promotions and attestations left out), uncached: what a promotion cannot
   * make up for.
   */
  Judgement judgeSignatures(ImageReference pinned, String environment) {
    java.util.List<dev.promgate.policy.PromotionPolicy> reduced = new java.util.ArrayList<>();
    for (dev.promgate.policy.PromotionPolicy p : policies.policies()) {
      java.util.Map<String, dev.promgate.policy.EnvironmentRules> environments = new java.util.LinkedHashMap<>(p.environments());
      environments.computeIfPresent(environment, (name, rules) -> new dev.promgate.policy.EnvironmentRules(name,
          rules.mode(), rules.signatures(), java.util.List.of(), java.util.List.of(),
          rules.fingerprint() + "/signatures-only"));
      reduced.add(new dev.promgate.policy.PromotionPolicy(p.name(), p.source(), p.images(), p.authorities(), environments));
    }
    PolicySet signaturesOnly = new PolicySet(policies.generation(), policies.loadedAt(), policies.gate(), reduced);
    return Blocking.await(judge.judge(pinned, new Scope(environment, signaturesOnly, Optional.empty(), deadline())));
  }

  /** The webhook's judgement of a pinned image in an environment, uncached. */
  Judgement judge(ImageReference pinned, String environment) {
    return Blocking.await(judge.judge(pinned, new Scope(environment, policies, Optional.empty(), deadline())));
  }

  /** Every promotion attached to a digest, checked against the authorities that count for its environment. */
  FoundPromotion.All promotions(ImageReference pinned, List<PromotionPolicy> governing, Instant deadline) {
    dev.promgate.registry.Attachments found = Blocking.await(registry.attachments(pinned, deadline));
    return evaluator.promotions(pinned, RegistryVerifier.adapt(found),
        env -> Environments.promotionAuthorities(governing, env));
  }

  Instant deadline() {
    return clock.instant().plus(budget);
  }

  @Override
  public void close() {
    verifier.close();
    registry.close();
    Blocking.await(vertx.close());
  }
}
