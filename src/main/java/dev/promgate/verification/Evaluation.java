package dev.promgate.verification;

import dev.promgate.verdict.FailureBoundary;
import dev.promgate.image.Digest;
import dev.promgate.policy.AttestationCondition;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.EnvironmentRules.AttestationRule;
import dev.promgate.policy.EnvironmentRules.PromotionRule;
import dev.promgate.verdict.AttestationEvidence;
import dev.promgate.verdict.Evidence;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.Verdict.Reason;
import dev.promgate.verdict.VerificationRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One run of {@link RequirementsEvaluator}: the parsed attachments and the signer checks made so far,
 * so that no attachment is verified twice for the same key or trusted root.
 */
final class Evaluation {

  private final VerificationRequest request;
  private final Digest digest;
  private final String image;
  private final Instant now;
  private final List<Attachment> attachments = new ArrayList<>();
  private final Signers signers;
  private final PromotionAttachments promotions;
  /** Notation signatures attached but not downloaded: no authority of the requirements reads them. */
  private final int notationsNotRead;

  Evaluation(VerificationRequest request, SignedContent found, TrustMaterials trust, Instant now) {
    this.request = request;
    this.digest = request.image().digest();
    this.image = request.image().pinnedForm(digest);
    this.signers = new Signers(trust, now);
    this.now = now;
    // Every attachment is checked: the registry step already left out what cannot count and
    // refuses (as Unverifiable) more candidates than GateConfig spec.limits.maxAttachments, so a
    // genuine signature listed after many foreign ones is never skipped.
    for (var s : found.signatures()) {
      attachments.add(CosignSignatureLayer.of(s, digest));
    }
    for (var a : found.attestations()) {
      attachments.add(CosignAttestationLayer.of(a, digest));
    }
    for (var b : found.bundles()) {
      attachments.add(SigstoreBundleAttachment.of(b, digest));
    }
    for (var n : found.notations()) {
      attachments.add(NotationSignatureAttachment.of(n, digest));
    }
    this.promotions = new PromotionAttachments(attachments, signers, now);
    this.notationsNotRead = found.notationsNotRead();
  }

  /**
   * Every attachment checked against one authority, with the same parsing and matching as the
   * requirements use; for {@code promgate verify}.
   */
  List<AuthorityCheck> check(Authority authority) {
    List<AuthorityCheck> results = new ArrayList<>();
    for (Attachment a : attachments) {
      String kind = a.isSignature() ? "signature"
          : "attestation" + a.statement().map(InTotoStatement::predicateType).or(a::claimedPredicateType)
              .map(t -> " " + t).orElse("");
      if (a.unusable().isPresent()) {
        results.add(AuthorityCheck.failed(a.source(), kind, a.unusable().get()));
        continue;
      }
      Signers.Match m = signers.match(a, authority);
      results.add(m.signed() ? AuthorityCheck.verified(a.source(), kind, m.identity())
          : AuthorityCheck.failed(a.source(), kind, m.problem()));
    }
    return results;
  }

  /**
   * Every readable promotion with the authority that signed it; see
   * {@link RequirementsEvaluator#promotions}.
   */
  FoundPromotion.All promotions(Function<String, List<Authority>> authoritiesFor) {
    return promotions.status(authoritiesFor);
  }

  Verdict run() {
    if (request.rules().isEmpty()) {
      return Verdict.Rejected.because("is governed by no policy in " + request.environment(),
          "add its repository to the images of a PromotionPolicy");
    }
    List<Reason> reasons = new ArrayList<>();
    Set<Evidence> evidence = new LinkedHashSet<>();
    boolean several = request.rules().size() > 1;
    for (VerificationRequest.PolicyRules policy : request.rules()) {
      String suffix = several ? " [policy " + policy.policy() + "]" : "";
      EnvironmentRules rules = policy.rules();
      List<Reason> failed = new ArrayList<>();
      if (!rules.signatures().isEmpty()) {
        checkSignatures(rules.signatures(), failed, evidence);
      }
      for (PromotionRule rule : rules.promotions()) {
        checkPromotion(rule, failed, evidence);
      }
      for (AttestationRule rule : rules.attestations()) {
        checkAttestation(rule, failed, evidence);
      }
      for (Reason r : failed) {
        reasons.add(new Reason(r.problem() + suffix, r.fix()));
      }
    }
    List<Evidence> used = List.copyOf(evidence);
    if (!reasons.isEmpty() && !signers.unusableRoots().isEmpty()) {
      // Rejected only on what could be checked: a trusted root that could not be used (not fetched
      // yet, or trust material sigstore-java cannot read) might have verified it.
      return new Verdict.Unverifiable(Verdict.Unverifiable.Category.TRUSTED_ROOT,
          String.join("; and ", signers.unusableRoots()) + ", so what needs it was not checked, and without it"
          + " the requirements do not hold: "
          + reasons.get(0).problem());
    }
    return reasons.isEmpty() ? new Verdict.Verified(used) : new Verdict.Rejected(reasons, used);
  }

  // ---- signatures ---------------------------------------------------------------------------

  private void checkSignatures(List<Authority> authorities, List<Reason> failed, Set<Evidence> evidence) {
    List<Attachment> candidates = attachments.stream().filter(Attachment::isSignature).toList();
    List<String> findings = new ArrayList<>();
    for (Attachment a : candidates) {
      if (a.unusable().isPresent()) {
        findings.add(Messages.describe(a) + ": " + a.unusable().get());
        continue;
      }
      List<String> problems = new ArrayList<>();
      for (Authority authority : authorities) {
        Signers.Match m = signers.match(a, authority);
        if (m.signed()) {
          evidence.add(new SignatureEvidence(authority.name(), m.identity(), a.evidenceDetail(), m.expiresAt()));
          return;
        }
        problems.add(m.problem());
      }
      findings.add(Messages.describe(a) + ": " + String.join(" and ", problems));
    }
    if (notationsNotRead > 0) {
      findings.add(notationsNotRead + " Notation signature" + (notationsNotRead == 1 ? "" : "s")
          + ", not read: no authority required here is a notation authority");
    }
    String names = Messages.names(authorities);
    String problem = findings.isEmpty()
        ? "is not signed: no cosign signature, Sigstore bundle or Notation signature was found (required: a signature by "
            + names + ")"
        : "is not signed by " + names + " (found: " + Messages.join(findings) + ")";
    failed.add(new Reason(problem, Messages.signFix(authorities.get(0), image)));
  }

  // ---- promotions ---------------------------------------------------------------------------

  private record SignedPromotion(Promotion promotion, Authority authority, String identity,
                                 Optional<Instant> signatureExpiresAt) {}

  private void checkPromotion(PromotionRule rule, List<Reason> failed, Set<Evidence> evidence) {
    List<SignedPromotion> signed = new ArrayList<>();
    List<String> found = new ArrayList<>();
    for (PromotionAttachments.ReadPromotion read : promotions.read(found, true)) {
      Attachment a = read.attachment();
      Promotion p = read.promotion();
      if (!p.environment().equals(rule.environment())) {
        found.add(p.summary());
        continue;
      }
      if (p.promotedAt().isAfter(now.plus(PromotionRule.FUTURE_TOLERANCE))) {
        found.add(p.summary() + " (promotedAt " + p.promotedAt() + " is in the future)");
        continue;
      }
      List<String> problems = new ArrayList<>();
      boolean any = false;
      for (Authority authority : rule.signedBy()) {
        Signers.Match m = signers.match(a, authority);
        if (m.signed()) {
          signed.add(new SignedPromotion(p, authority, m.identity(), m.expiresAt()));
          any = true;
          break;
        }
        problems.add(m.problem());
      }
      if (!any) {
        found.add(p.summary() + " (not signed by " + Messages.names(rule.signedBy()) + ": " + String.join(" and ", problems) + ")");
      }
    }
    String fix = Messages.promoteFix(rule, image);
    if (signed.isEmpty()) {
      failed.add(new Reason("has no promotion to " + rule.environment() + " signed by " + Messages.names(rule.signedBy())
          + " (found: " + (found.isEmpty() ? "no promotions" : Messages.join(found)) + ")", fix));
      return;
    }
    SignedPromotion newest = signed.stream()
        .max(Comparator.comparing((SignedPromotion s) -> s.promotion().promotedAt())).orElseThrow();
    Instant at = newest.promotion().promotedAt();
    Optional<Instant> expiresAt = rule.maxAge().map(at::plus);
    if (rule.maxAge().isPresent() && now.isAfter(expiresAt.get())) {
      failed.add(new Reason("has no current promotion to " + rule.environment() + ": the newest one signed by "
          + newest.authority().name() + " (" + newest.promotion().summary() + ") is "
          + Messages.age(Duration.between(at, now)) + " old, older than maxAge " + Messages.goDuration(rule.maxAge().get()), fix));
      return;
    }
    Optional<Instant> countsUntil = java.util.stream.Stream.concat(expiresAt.stream(),
        newest.signatureExpiresAt().stream()).min(Instant::compareTo);
    evidence.add(newest.promotion().evidence(newest.authority().name(), newest.identity(), countsUntil));
  }

  // ---- attestations -------------------------------------------------------------------------

  private void checkAttestation(AttestationRule rule, List<Reason> failed, Set<Evidence> evidence) {
    String type = rule.predicateType();
    List<String> unsigned = new ArrayList<>();
    List<String> unsatisfied = new ArrayList<>();
    Set<String> otherTypes = new LinkedHashSet<>();
    List<String> unusable = new ArrayList<>();
    boolean anyOfType = false;
    for (Attachment a : attachments) {
      if (a.unusable().isPresent()) {
        if (a.mayBeAbout(type)) {
          unusable.add(Messages.describe(a) + ": " + a.unusable().get());
        }
        continue;
      }
      Optional<InTotoStatement> statement = a.statement();
      if (statement.isEmpty()) {
        continue;
      }
      if (!type.equals(statement.get().predicateType())) {
        otherTypes.add(statement.get().predicateType());
        continue;
      }
      anyOfType = true;
      List<String> problems = new ArrayList<>();
      for (Authority authority : rule.signedBy()) {
        Signers.Match m = signers.match(a, authority);
        if (!m.signed()) {
          problems.add(m.problem());
          continue;
        }
        Optional<String> conditionProblem = rule.condition().flatMap(c -> evaluate(c, statement.get()));
        if (conditionProblem.isEmpty()) {
          evidence.add(new AttestationEvidence(authority.name(), m.identity(), type,
              rule.condition().map(AttestationCondition::expression), m.expiresAt()));
          return;
        }
        unsatisfied.add(Messages.describe(a) + " by " + authority.name() + ": " + conditionProblem.get());
        problems.clear();
        break;
      }
      if (!problems.isEmpty()) {
        unsigned.add(Messages.describe(a) + ": " + String.join(" and ", problems));
      }
    }
    String names = Messages.names(rule.signedBy());
    String fix = Messages.attestFix(type, rule.signedBy().get(0), image);
    if (!unsatisfied.isEmpty()) {
      String expression = rule.condition().map(AttestationCondition::expression).orElse("");
      List<String> found = new ArrayList<>(unsatisfied);
      found.addAll(unsigned);
      failed.add(new Reason("has no " + type + " attestation signed by " + names + " for which " + expression
          + " holds (found: " + Messages.join(found) + ")",
          "attest a predicate for which the condition holds: " + fix));
    } else if (anyOfType) {
      unsigned.addAll(unusable);
      failed.add(new Reason("has no " + type + " attestation signed by " + names + " (found: " + Messages.join(unsigned) + ")", fix));
    } else {
      List<String> found = new ArrayList<>();
      if (!otherTypes.isEmpty()) {
        found.add("attestations of " + String.join(", ", otherTypes));
      }
      found.addAll(unusable);
      failed.add(new Reason("has no " + type + " attestation (found: "
          + (found.isEmpty() ? "no attestations" : Messages.join(found)) + ")", fix));
    }
  }

  /** Empty when the condition holds, else why not. */
  private static Optional<String> evaluate(AttestationCondition condition, InTotoStatement statement) {
    AttestationCondition.Result result;
    try {
      result = condition.evaluate(statement.asMap());
    } catch (RuntimeException e) {
      return Optional.of("the condition could not be evaluated: " + FailureBoundary.describe(e));
    }
    if (result == null) {
      return Optional.of("the condition gave no result");
    }
    if (result.failedToEvaluate()) {
      return Optional.of("the condition could not be evaluated: " + result.error());
    }
    return result.satisfied() ? Optional.empty() : Optional.of("the condition is false");
  }
}
