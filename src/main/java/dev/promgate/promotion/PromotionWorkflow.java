package dev.promgate.promotion;

import dev.promgate.decision.ImageJudge;
import dev.promgate.decision.ImageResult;
import dev.promgate.decision.TagResolver;
import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.policy.Authority;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.registry.RegistryClient;
import dev.promgate.registry.RegistryException;
import dev.promgate.verdict.VerdictSource;
import dev.promgate.verification.FoundPromotion;
import dev.promgate.verification.RegistryVerifier;
import dev.promgate.verification.RequirementsEvaluator;
import dev.promgate.workload.ContainerImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /** Tags cosign and OCI clients attach to a digest: {@code sha256-<hex>.att} and the referrers tag. */
  private static final Pattern ATTACHED_TAG = Pattern.compile("(sha256|sha384|sha512)-([0-9a-f]{64,128})(\\.[a-z]+)?");
  /** Ordinary tags resolved for status, at most; more are reported as left out. */
  static final int MAX_TAGS_RESOLVED = 200;
  /** Digests read for status, at most. */
  static final int MAX_DIGESTS = 200;
  /** As the verification step: a promotedAt further ahead than this does not count. */

  private final Vertx vertx;
  private final PolicySet policies;
  private final RegistryClient registry;
  private final RegistryVerifier verifier;
  private final ImageJudge judge;
  private final RequirementsEvaluator evaluator;
  private final Clock clock;
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

  // ---- promote ------------------------------------------------------------------------------

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
    Set<String> known = policies.environments();
    String env = request.environment();
    if (!known.contains(env)) {
      return refused("environment \"" + env + "\" is not defined by the policies (known: " + String.join(", ", known) + ")");
    }
    if (request.from().isPresent()) {
      String from = request.from().get();
      if (!known.contains(from)) {
        return refused("--from environment \"" + from + "\" is not defined by the policies (known: "
            + String.join(", ", known) + ")");
      }
      if (from.equals(env)) {
        return refused("--from names the environment being promoted to (" + env + "); name the environment before it");
      }
    }
    if (request.promotedAt().filter(at -> at.isAfter(clock.instant().plus(dev.promgate.policy.EnvironmentRules.PromotionRule.FUTURE_TOLERANCE))).isPresent()) {
      return refused("--promoted-at " + request.promotedAt().get() + " is in the future; the webhook does not count "
          + "promotions dated ahead of its clock");
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(request.image());
    } catch (InvalidReferenceException e) {
      return refused(e.getMessage());
    }
    if (!registry.allows(ref.registry())) {
      return refused("registry " + ref.registry() + " is not in the GateConfig registry allow-list (spec.registries) "
          + "of the policies; promgate reads and writes only allowed registries");
    }
    List<PromotionPolicy> governing = policies.governing(ref.name());
    if (governing.isEmpty()) {
      return refused("no PromotionPolicy governs " + ref.name() + ", so the webhook would deny it whatever its "
          + "promotions; add the repository to the spec.images of a policy first");
    }
    Instant deadline = clock.instant().plus(budget);
    if (ref.digest() == null) {
      return refused(tagRefusal(ref, env, deadline));
    }
    ImageReference pinned = ref.withDigest(ref.digest());
    List<String> notes = new ArrayList<>();
    if (ref.tag() != null) {
      notes.add("the tag \"" + ref.tag() + "\" is ignored: the digest is what is promoted");
    }
    try {
      Blocking.await(registry.manifest(pinned, deadline));
    } catch (RegistryException e) {
      return refused(e.kind() == RegistryException.Kind.NOT_FOUND
          ? pinned + " does not exist in its registry (" + e.getMessage() + "); check the digest"
          : "could not read " + pinned + ": " + e.getMessage());
    }

    Environments.Previous previous = request.from().isPresent()
        ? new Environments.Previous(request.from(), "--from " + request.from().get())
        : Environments.previous(policies, governing, env);
    if (previous.environment().isPresent()) {
      String before = previous.environment().get();
      ImageResult earlier = judge(pinned, before);
      if (earlier.failed()) {
        String problems = "  " + String.join("\n  ", earlier.problems());
        if (!request.force()) {
          return refused(pinned + " is not admissible in " + before + " (" + previous.why() + "), so it is not "
              + "promoted to " + env + ":\n" + problems + "\nfix that first (a missing promotion: promgate promote "
              + pinned + " --env " + before + " …), or promote anyway with --force (recorded in the promotion as "
              + "force: true)");
        }
        notes.add("--force: promoted although it is not admissible in " + before + ":\n" + problems);
      } else {
        notes.add("admissible in " + before + " (" + previous.why() + ")");
      }
    } else {
      notes.add("no check of an earlier environment: " + previous.why() + "; use --from ENV to require one");
    }
    if (request.approver().isEmpty()) {
      notes.add("no --approver given: the promotion names no approver");
    }

    PromotionPredicate predicate = new PromotionPredicate(env,
        request.promotedAt().orElseGet(() -> clock.instant().truncatedTo(ChronoUnit.SECONDS)),
        request.approver(), request.from().or(previous::environment), request.change(), request.pipelineRun(),
        request.sourceRepository(), request.sourceCommit(), request.force());
    byte[] envelope = Dsse.envelope(Dsse.statement(pinned, predicate), key);
    CosignAttestations.Appended appended;
    try {
      appended = CosignAttestations.append(registry, pinned, envelope, PromotionPredicate.TYPE,
          clock.instant().plus(budget));
    } catch (RegistryException | IllegalStateException e) {
      return refused("could not push the promotion of " + pinned + ": " + e.getMessage());
    }
    String where = appended.where() + " layer " + appended.layerIndex();

    ReadBack readBack = readBack(pinned, governing, predicate, appended, key);
    ImageResult now = judge(pinned, env);
    return new PromotionOutcome.Promoted(pinned, predicate, where, appended.manifest(), notes, readBack.signedBy(),
        readBack.notCounted(), !now.failed(), now.problems());
  }

  /** Whether the promotion just pushed counts: signed by an authority for promotions to its environment. */
  private record ReadBack(Optional<String> signedBy, Optional<String> notCounted) {}

  /** Reads the promotion back from the registry as the webhook will, and checks who signed it. */
  private ReadBack readBack(ImageReference pinned, List<PromotionPolicy> governing, PromotionPredicate predicate,
                            CosignAttestations.Appended appended, SigningKey key) {
    String env = predicate.environment();
    FoundPromotion.All all;
    try {
      all = promotions(pinned, governing, deadline());
    } catch (RegistryException e) {
      return new ReadBack(Optional.empty(), Optional.of("it could not be read back: " + e.getMessage()));
    }
    Optional<FoundPromotion> ours = all.promotions().stream()
        .filter(p -> p.source().endsWith(".att layer " + appended.layerIndex()))
        .filter(p -> p.promotedAt().equals(predicate.promotedAt()) && p.environment().equals(env))
        .findFirst();
    if (ours.isEmpty()) {
      return new ReadBack(Optional.empty(), Optional.of("the promotion was not found when read back from "
          + appended.where() + " (was the tag overwritten at the same moment?); run promote again"));
    }
    if (ours.get().counts()) {
      return new ReadBack(Optional.of(ours.get().authority().orElseThrow() + " (" + ours.get().signer().orElse("") + ")"),
          Optional.empty());
    }
    return new ReadBack(Optional.empty(), Optional.of(
        notCountedMessage(env, key, Environments.promotionAuthorities(governing, env), ours.get())));
  }

  private String tagRefusal(ImageReference ref, String env, Instant deadline) {
    String tag = ref.tagName().orElse("latest");
    try {
      Digest digest = Blocking.await(registry.resolve(ref, deadline));
      return "promote by digest; " + ref + " resolves to " + ref.pinnedForm(digest) + " now:\n  promgate promote "
          + ref.pinnedForm(digest) + " --env " + env + " …";
    } catch (RuntimeException e) {
      return "promote by digest (" + ref.name() + "@sha256:…); the tag \"" + tag + "\" could not be resolved: "
          + e.getMessage();
    }
  }

  private static String notCountedMessage(String env, SigningKey key, List<Authority> authorities, FoundPromotion p) {
    if (authorities.isEmpty()) {
      return "no policy requires promotions to " + env + ", so none names who may sign them; the webhook "
          + "ignores this promotion";
    }
    StringBuilder accepted = new StringBuilder();
    for (Authority a : authorities) {
      accepted.append(accepted.length() == 0 ? "" : ", ").append(a.name());
      if (a instanceof Authority.Key k) {
        accepted.append(" (key ").append(k.source()).append(", sha256:").append(k.fingerprint()).append(")");
      } else if (a instanceof Authority.Keyless k) {
        accepted.append(" (keyless ").append(k.identities()).append(")");
      }
    }
    return "the policies do not count it: " + p.problem().orElse("not signed by an authority") + ".\n"
        + "  Promotions to " + env + " must be signed by: " + accepted + ";\n"
        + "  this promotion was signed with " + key + ".";
  }

  // ---- status -------------------------------------------------------------------------------

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
    ImageReference repo;
    try {
      repo = ImageReference.parse(repository);
    } catch (InvalidReferenceException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    if (repo.tag() != null || repo.digest() != null) {
      throw new IllegalArgumentException("give the repository without tag or digest: " + repo.name());
    }
    if (environment.isPresent() && !policies.environments().contains(environment.get())) {
      throw new IllegalArgumentException("environment \"" + environment.get() + "\" is not defined by the policies "
          + "(known: " + String.join(", ", policies.environments()) + ")");
    }
    if (!registry.allows(repo.registry())) {
      throw new IllegalArgumentException("registry " + repo.registry() + " is not in the GateConfig registry "
          + "allow-list (spec.registries) of the policies");
    }
    List<PromotionPolicy> governing = policies.governing(repo.name());
    Instant at = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    List<String> notes = new ArrayList<>();
    if (governing.isEmpty()) {
      notes.add("no PromotionPolicy governs " + repo.name() + ": no promotion counts and nothing is admissible");
    }

    List<String> tags = Blocking.await(registry.tags(repo, deadline()));
    Map<Digest, List<String>> tagsByDigest = resolveTags(repo, tags, notes);
    List<Digest> promoted = attachedDigests(tags, notes);

    List<StatusReport.Unverified> unverified = new ArrayList<>();
    Map<String, Map<Digest, List<FoundPromotion>>> counted = new TreeMap<>();
    for (Digest digest : promoted) {
      ImageReference pinned = repo.withDigest(digest);
      FoundPromotion.All all;
      try {
        all = promotions(pinned, governing, deadline());
      } catch (RegistryException e) {
        notes.add("could not read the attachments of " + pinned + ": " + e.getMessage());
        continue;
      }
      all.unreadable().forEach(problem -> notes.add("unreadable promotion of " + digest.shortForm() + ": " + problem));
      for (FoundPromotion p : all.promotions()) {
        if (environment.isPresent() && !environment.get().equals(p.environment())) {
          continue;
        }
        if (p.counts()) {
          counted.computeIfAbsent(p.environment(), k -> new LinkedHashMap<>())
              .computeIfAbsent(digest, k -> new ArrayList<>()).add(p);
        } else {
          unverified.add(new StatusReport.Unverified(pinned, p));
        }
      }
    }
    unverified.sort(Comparator.comparing((StatusReport.Unverified u) -> u.promotion().promotedAt()).reversed());

    List<StatusReport.EnvironmentStatus> environments = new ArrayList<>();
    for (String env : Environments.order(policies)) {
      if (environment.isPresent() && !environment.get().equals(env)) {
        continue;
      }
      Map<Digest, List<FoundPromotion>> byDigest = counted.getOrDefault(env, Map.of());
      if (byDigest.isEmpty() && environment.isEmpty()
          && Environments.promotionAuthorities(governing, env).isEmpty()) {
        continue; // nothing promoted there, and nothing required: not worth a section
      }
      List<StatusReport.Entry> entries = new ArrayList<>();
      byDigest.forEach((digest, found) -> entries.add(entry(repo.withDigest(digest), env, found,
          tagsByDigest.getOrDefault(digest, List.of()))));
      entries.sort(Comparator.comparing((StatusReport.Entry e) -> e.newest().promotedAt()).reversed());
      environments.add(new StatusReport.EnvironmentStatus(env, entries));
    }
    return new StatusReport(repo.name(), at, environments, unverified, notes);
  }

  private StatusReport.Entry entry(ImageReference pinned, String env, List<FoundPromotion> found, List<String> tags) {
    FoundPromotion newest = found.stream().max(Comparator.comparing(FoundPromotion::promotedAt)).orElseThrow();
    boolean exists;
    List<String> reasons = new ArrayList<>();
    try {
      Blocking.await(registry.manifest(pinned, deadline()));
      exists = true;
    } catch (RegistryException e) {
      exists = false;
      reasons.add(e.kind() == RegistryException.Kind.NOT_FOUND
          ? "the image is no longer in the registry (its promotions remain)"
          : "could not be read: " + e.getMessage());
    }
    boolean admissible = false;
    if (exists) {
      ImageResult result = judge(pinned, env);
      admissible = !result.failed();
      reasons.addAll(result.problems());
    }
    return new StatusReport.Entry(pinned, newest, found.size(), exists, admissible, reasons, tags);
  }

  /** The digests cosign's {@code .att} tags and the referrers tags name, newest tag listing order kept. */
  private static List<Digest> attachedDigests(List<String> tags, List<String> notes) {
    Set<Digest> digests = new java.util.LinkedHashSet<>();
    for (String tag : tags) {
      Matcher m = ATTACHED_TAG.matcher(tag);
      if (!m.matches() || !(m.group(3) == null || m.group(3).equals(".att"))) {
        continue;
      }
      try {
        digests.add(Digest.parse(m.group(1) + ":" + m.group(2)));
      } catch (InvalidReferenceException e) {
        // a tag that merely looks like one: not a digest
      }
    }
    List<Digest> all = new ArrayList<>(digests);
    if (all.size() > MAX_DIGESTS) {
      notes.add((all.size() - MAX_DIGESTS) + " attested digests beyond the first " + MAX_DIGESTS + " were not read");
      return all.subList(0, MAX_DIGESTS);
    }
    return all;
  }

  /** Resolves the repository's ordinary tags (not cosign's or the referrers') to digests. */
  private Map<Digest, List<String>> resolveTags(ImageReference repo, List<String> tags, List<String> notes) {
    List<String> ordinary = tags.stream().filter(t -> !ATTACHED_TAG.matcher(t).matches()).sorted().toList();
    if (ordinary.size() > MAX_TAGS_RESOLVED) {
      notes.add((ordinary.size() - MAX_TAGS_RESOLVED) + " tags beyond the first " + MAX_TAGS_RESOLVED
          + " (sorted by name) were not resolved");
      ordinary = ordinary.subList(0, MAX_TAGS_RESOLVED);
    }
    Instant deadline = deadline();
    List<Future<Digest>> resolving = new ArrayList<>();
    for (String tag : ordinary) {
      Future<Digest> resolved;
      try {
        resolved = registry.resolve(repo.withTag(tag), deadline);
      } catch (InvalidReferenceException e) {
        resolved = Future.failedFuture(e);
      }
      resolving.add(resolved);
    }
    Blocking.await(Future.join(resolving).otherwiseEmpty());
    Map<Digest, List<String>> byDigest = new LinkedHashMap<>();
    int failed = 0;
    for (int i = 0; i < ordinary.size(); i++) {
      Future<Digest> f = resolving.get(i);
      if (f.succeeded()) {
        byDigest.computeIfAbsent(f.result(), k -> new ArrayList<>()).add(ordinary.get(i));
      } else {
        failed++;
      }
    }
    if (failed > 0) {
      notes.add(failed + " tags could not be resolved");
    }
    return byDigest;
  }

  // ---- shared -------------------------------------------------------------------------------

  /** The webhook's judgement of a pinned image in an environment, uncached. */
  private ImageResult judge(ImageReference pinned, String environment) {
    return Blocking.await(judge.judge(new ContainerImage("promotion", "image", pinned.toString()), environment,
        policies, Optional.empty(), deadline()));
  }

  /** Every promotion attached to a digest, checked against the authorities that count for its environment. */
  private FoundPromotion.All promotions(ImageReference pinned, List<PromotionPolicy> governing, Instant deadline) {
    dev.promgate.registry.Attachments found = Blocking.await(registry.attachments(pinned, deadline));
    return evaluator.promotions(pinned, RegistryVerifier.adapt(found),
        env -> Environments.promotionAuthorities(governing, env));
  }

  private Instant deadline() {
    return clock.instant().plus(budget);
  }

  private static PromotionOutcome refused(String reason) {
    return new PromotionOutcome.Refused(reason);
  }

  @Override
  public void close() {
    verifier.close();
    registry.close();
    Blocking.await(vertx.close());
  }
}
