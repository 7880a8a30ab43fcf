package dev.promgate.promotion;

import dev.promgate.judgement.Judgement;
import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules.PromotionRule;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.registry.RegistryClient;
import dev.promgate.registry.RegistryException;
import dev.promgate.verification.FoundPromotion;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code promgate promote}: checks a digest, signs its promotion, pushes it and reads it back. */
final class Promoter {

  private final PromotionWorkflow workflow;
  private final PolicySet policies;
  private final RegistryClient registry;
  private final Clock clock;

  Promoter(PromotionWorkflow workflow) {
    this.workflow = workflow;
    this.policies = workflow.policies;
    this.registry = workflow.registry;
    this.clock = workflow.clock;
  }

  /** See {@link PromotionWorkflow#promote}. */
  PromotionOutcome promote(PromotionRequest request, SigningKey key) {
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
    if (request.promotedAt().filter(at -> at.isAfter(clock.instant().plus(PromotionRule.FUTURE_TOLERANCE))).isPresent()) {
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
    Instant deadline = workflow.deadline();
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

    // Before anything is pushed: would the webhook count a promotion signed with this key?
    List<Authority> accepted = Environments.promotionAuthorities(governing, env);
    if (accepted.stream().noneMatch(a -> a instanceof Authority.Key k && k.fingerprint().equals(key.fingerprint()))) {
      return refused(accepted.isEmpty()
          ? "no policy requires promotions to " + env + ", so none names who may sign them: the webhook would "
              + "ignore this promotion; nothing pushed"
          : "the policies would not count a promotion to " + env + " signed with " + key + ".\n"
              + "  Promotions to " + env + " must be signed by: " + describe(accepted) + ";\n"
              + "  promote with one of their keys; nothing pushed");
    }
    // An unsigned digest goes nowhere that requires a signature, whatever the promotions say.
    Judgement signatures = workflow.judgeSignatures(pinned, env);
    if (signatures.failed()) {
      return refused(pinned + " does not meet the signature requirement of " + env + ", so no promotion would "
          + "make it admissible there:\n  " + String.join("\n  ", signatures.problems()) + "\nsign it first");
    }

    Environments.Previous previous = request.from().isPresent()
        ? new Environments.Previous(request.from(), "--from " + request.from().get())
        : Environments.previous(policies, governing, env);
    // The "from" the predicate records: only an environment the digest is admissible in.
    Optional<String> from = previous.environment();
    if (previous.environment().isPresent()) {
      String before = previous.environment().get();
      Judgement earlier = workflow.judge(pinned, before);
      if (earlier.failed()) {
        from = Optional.empty();
        String problems = "  " + String.join("\n  ", earlier.problems());
        if (!request.force()) {
          return refused(pinned + " is not admissible in " + before + " (" + previous.why() + "), so it is not "
              + "promoted to " + env + ":\n" + problems + "\nfix that first (a missing promotion: promgate promote "
              + pinned + " --env " + before + " …), or promote anyway with --force --force-reason TEXT (recorded as "
              + "forced: true)");
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
        request.approver(), from, request.change(), request.pipelineRun(),
        request.sourceRepository(), request.sourceCommit(), request.force() && from.isEmpty()
            && previous.environment().isPresent(), request.forceReason());
    byte[] envelope = Dsse.envelope(Dsse.statement(pinned, predicate), key);
    CosignAttestations.Appended appended;
    try {
      appended = CosignAttestations.append(registry, pinned, envelope, PromotionPredicate.TYPE,
          workflow.deadline());
    } catch (RegistryException | IllegalStateException e) {
      return refused("could not push the promotion of " + pinned + ": " + e.getMessage());
    }
    String where = appended.where() + " layer " + appended.layerIndex();

    ReadBack readBack = readBack(pinned, governing, predicate, appended, key);
    Judgement now = workflow.judge(pinned, env);
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
      all = workflow.promotions(pinned, governing, workflow.deadline());
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
    String tag = ref.tagOrLatest();
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
    return "the policies do not count it: " + p.problem().orElse("not signed by an authority") + ".\n"
        + "  Promotions to " + env + " must be signed by: " + describe(authorities) + ";\n"
        + "  this promotion was signed with " + key + ".";
  }

  /** The authorities by name, with the key file and fingerprint or the keyless identities. */
  private static String describe(List<Authority> authorities) {
    StringBuilder accepted = new StringBuilder();
    for (Authority a : authorities) {
      accepted.append(accepted.length() == 0 ? "" : ", ").append(a.name());
      if (a instanceof Authority.Key k) {
        accepted.append(" (key ").append(k.source()).append(", sha256:").append(k.fingerprint()).append(")");
      } else if (a instanceof Authority.Keyless k) {
        accepted.append(" (keyless ").append(k.identities()).append(")");
      } else if (a instanceof Authority.CertificateChain c) {
        accepted.append(" (certificate chain ").append(c.source())
            .append(c.identities().isEmpty() ? "" : " " + c.identities()).append(")");
      }
    }
    return accepted.toString();
  }

  private static PromotionOutcome refused(String reason) {
    return new PromotionOutcome.Refused(reason);
  }
}
