package dev.promgate.verification;

import dev.promgate.image.Digest;
import dev.promgate.policy.AttestationCondition;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.EnvironmentRules.AttestationRule;
import dev.promgate.policy.EnvironmentRules.PromotionRule;
import dev.promgate.verdict.Evidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.Verdict.Reason;
import dev.promgate.verdict.VerificationRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One run of {@link RequirementsEvaluator}: the parsed attachments and the signer checks made so far,
 * so that no attachment is verified twice for the same key or trusted root.
 */
final class Evaluation {

  static final int MAX_PER_KIND = 50;
  private static final int MAX_FINDINGS = 5;

  private final VerificationRequest request;
  private final Digest digest;
  private final String image;
  private final Instant now;
  private final TrustMaterials trust;
  private final List<Attachment> attachments = new ArrayList<>();
  private final AuthorityMatcher matcher;
  private final Map<Attachment, Object> promotions = new IdentityHashMap<>();
  private int unchecked;

  Evaluation(VerificationRequest request, Attachments found, TrustMaterials trust, Instant now) {
    this.request = request;
    this.digest = request.image().digest();
    this.image = request.image().pinnedForm(digest);
    this.trust = trust;
    this.now = now;
    this.matcher = new AuthorityMatcher(trust, now);
    for (var s : first(found.signatures())) {
      attachments.add(CosignSignatureLayer.of(s, digest));
    }
    for (var a : first(found.attestations())) {
      attachments.add(CosignAttestationLayer.of(a, digest));
    }
    for (var b : first(found.bundles())) {
      attachments.add(SigstoreBundleAttachment.of(b, digest));
    }
  }

  /** At most {@value #MAX_PER_KIND} of a kind: anyone who can push can attach, and each check costs. */
  private <T> List<T> first(List<T> all) {
    if (all.size() <= MAX_PER_KIND) {
      return all;
    }
    unchecked += all.size() - MAX_PER_KIND;
    return all.subList(0, MAX_PER_KIND);
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
      String skipped = unchecked == 0 ? "" : " (" + unchecked + " attachments beyond the first " + MAX_PER_KIND
          + " of each kind were not checked)";
      for (Reason r : failed) {
        reasons.add(new Reason(r.problem() + skipped + suffix, r.fix()));
      }
    }
    List<Evidence> used = List.copyOf(evidence);
    return reasons.isEmpty() ? new Verdict.Verified(used) : new Verdict.Rejected(reasons, used);
  }

  // ---- signatures ---------------------------------------------------------------------------

  private void checkSignatures(List<Authority> authorities, List<Reason> failed, Set<Evidence> evidence) {
    List<Attachment> candidates = attachments.stream().filter(Attachment::isSignature).toList();
    List<String> findings = new ArrayList<>();
    for (Attachment a : candidates) {
      if (a.unusable().isPresent()) {
        findings.add(describe(a) + ": " + a.unusable().get());
        continue;
      }
      List<String> problems = new ArrayList<>();
      for (Authority authority : authorities) {
        Match m = match(a, authority);
        if (m.signed()) {
          evidence.add(new Evidence("signature", authority.name(), m.identity(), a.evidenceDetail(), Optional.empty()));
          return;
        }
        problems.add(m.problem());
      }
      findings.add(describe(a) + ": " + String.join(" and ", problems));
    }
    String names = names(authorities);
    String problem = candidates.isEmpty()
        ? "is not signed: no cosign signature or Sigstore bundle was found (required: a signature by " + names + ")"
        : "is not signed by " + names + " (found: " + join(findings) + ")";
    failed.add(new Reason(problem, signFix(authorities.get(0))));
  }

  // ---- promotions ---------------------------------------------------------------------------

  private record SignedPromotion(Promotion promotion, Authority authority, String identity) {}

  private void checkPromotion(PromotionRule rule, List<Reason> failed, Set<Evidence> evidence) {
    List<SignedPromotion> signed = new ArrayList<>();
    List<String> found = new ArrayList<>();
    for (ReadPromotion read : readPromotions(found, true)) {
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
        Match m = match(a, authority);
        if (m.signed()) {
          signed.add(new SignedPromotion(p, authority, m.identity()));
          any = true;
          break;
        }
        problems.add(m.problem());
      }
      if (!any) {
        found.add(p.summary() + " (not signed by " + names(rule.signedBy()) + ": " + String.join(" and ", problems) + ")");
      }
    }
    String fix = promoteFix(rule);
    if (signed.isEmpty()) {
      failed.add(new Reason("has no promotion to " + rule.environment() + " signed by " + names(rule.signedBy())
          + " (found: " + (found.isEmpty() ? "no promotions" : join(found)) + ")", fix));
      return;
    }
    SignedPromotion newest = signed.stream()
        .max(Comparator.comparing((SignedPromotion s) -> s.promotion().promotedAt())).orElseThrow();
    Instant at = newest.promotion().promotedAt();
    Optional<Instant> expiresAt = rule.maxAge().map(at::plus);
    if (rule.maxAge().isPresent() && now.isAfter(expiresAt.get())) {
      failed.add(new Reason("has no current promotion to " + rule.environment() + ": the newest one signed by "
          + newest.authority().name() + " (" + newest.promotion().summary() + ") is "
          + age(Duration.between(at, now)) + " old, older than maxAge " + goDuration(rule.maxAge().get()), fix));
      return;
    }
    evidence.add(new Evidence("promotion", newest.authority().name(), newest.identity(),
        newest.promotion().detail(), expiresAt));
  }

  /**
   * Every readable promotion, each checked against the authorities that count for its environment
   * (the first that signed it is named); attachments that claim to be promotions but cannot be
   * read are listed with the reason. For {@code promgate status} and {@code promote}.
   */
  FoundPromotion.All promotions(Function<String, List<Authority>> authoritiesFor) {
    List<FoundPromotion> found = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (ReadPromotion read : readPromotions(unreadable, false)) {
      Attachment a = read.attachment();
      Promotion p = read.promotion();
      List<Authority> authorities = authoritiesFor.apply(p.environment());
      Optional<String> authority = Optional.empty();
      Optional<String> signer = Optional.empty();
      List<String> problems = new ArrayList<>();
      for (Authority candidate : authorities) {
        Match m = match(a, candidate);
        if (m.signed()) {
          authority = Optional.of(candidate.name());
          signer = Optional.of(m.identity());
          break;
        }
        problems.add(m.problem());
      }
      Optional<String> problem;
      if (authorities.isEmpty()) {
        problem = Optional.of("no policy names an authority for promotions to " + p.environment());
      } else if (authority.isEmpty()) {
        problem = Optional.of("not signed by " + names(authorities) + ": " + String.join(" and ", problems));
      } else if (p.promotedAt().isAfter(now.plus(PromotionRule.FUTURE_TOLERANCE))) {
        problem = Optional.of("promotedAt " + p.promotedAt() + " is in the future");
      } else {
        problem = Optional.empty();
      }
      found.add(new FoundPromotion(a.source(), p.environment(), p.promotedAt(), p.approver(), p.from(), p.change(),
          p.pipelineRun(), p.sourceRepository(), p.sourceCommit(), p.force(), authority, signer, problem));
    }
    return new FoundPromotion.All(found, unreadable);
  }

  /** A promotion attestation that could be read, and where it came from. */
  private record ReadPromotion(Attachment attachment, Promotion promotion) {}

  /**
   * Every attachment that is a readable promotion attestation. Those that are promotions (or,
   * with {@code unclaimedToo}, that could be: an unreadable layer that names no predicate type) but
   * cannot be read are added to {@code unreadable}, naming where they came from.
   */
  private List<ReadPromotion> readPromotions(List<String> unreadable, boolean unclaimedToo) {
    List<ReadPromotion> read = new ArrayList<>();
    for (Attachment a : attachments) {
      if (a.unusable().isPresent()) {
        boolean claims = unclaimedToo ? a.mayBeAbout(Promotion.PREDICATE_TYPE)
            : a.claimedPredicateType().filter(Promotion.PREDICATE_TYPE::equals).isPresent();
        if (claims) {
          unreadable.add(describe(a) + ": " + a.unusable().get());
        }
        continue;
      }
      Optional<InTotoStatement> statement = a.statement();
      if (statement.isEmpty() || !Promotion.PREDICATE_TYPE.equals(statement.get().predicateType())) {
        continue;
      }
      Object parsed = promotion(a, statement.get());
      if (parsed instanceof String problem) {
        unreadable.add(describe(a) + ": " + problem);
      } else {
        read.add(new ReadPromotion(a, (Promotion) parsed));
      }
    }
    return read;
  }

  /** The parsed promotion, or a String saying why it cannot be read; parsed once per attachment. */
  private Object promotion(Attachment a, InTotoStatement statement) {
    return promotions.computeIfAbsent(a, x -> {
      try {
        return Promotion.parse(statement);
      } catch (Invalid e) {
        return e.getMessage();
      }
    });
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
          unusable.add(describe(a) + ": " + a.unusable().get());
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
        Match m = match(a, authority);
        if (!m.signed()) {
          problems.add(m.problem());
          continue;
        }
        Optional<String> conditionProblem = rule.condition().flatMap(c -> evaluate(c, statement.get()));
        if (conditionProblem.isEmpty()) {
          evidence.add(new Evidence("attestation", authority.name(), m.identity(),
              type + rule.condition().map(c -> " where " + c.expression()).orElse(""), Optional.empty()));
          return;
        }
        unsatisfied.add(describe(a) + " by " + authority.name() + ": " + conditionProblem.get());
        problems.clear();
        break;
      }
      if (!problems.isEmpty()) {
        unsigned.add(describe(a) + ": " + String.join(" and ", problems));
      }
    }
    String names = names(rule.signedBy());
    String fix = attestFix(type, rule.signedBy().get(0));
    if (!unsatisfied.isEmpty()) {
      String expression = rule.condition().map(AttestationCondition::expression).orElse("");
      List<String> found = new ArrayList<>(unsatisfied);
      found.addAll(unsigned);
      failed.add(new Reason("has no " + type + " attestation signed by " + names + " for which " + expression
          + " holds (found: " + join(found) + ")",
          "attest a predicate for which the condition holds: " + fix));
    } else if (anyOfType) {
      unsigned.addAll(unusable);
      failed.add(new Reason("has no " + type + " attestation signed by " + names + " (found: " + join(unsigned) + ")", fix));
    } else {
      List<String> found = new ArrayList<>();
      if (!otherTypes.isEmpty()) {
        found.add("attestations of " + String.join(", ", otherTypes));
      }
      found.addAll(unusable);
      failed.add(new Reason("has no " + type + " attestation (found: "
          + (found.isEmpty() ? "no attestations" : join(found)) + ")", fix));
    }
  }

  /** Empty when the condition holds, else why not. */
  private static Optional<String> evaluate(AttestationCondition condition, InTotoStatement statement) {
    AttestationCondition.Result result;
    try {
      result = condition.evaluate(statement.asMap());
    } catch (RuntimeException e) {
      return Optional.of("the condition could not be evaluated: " + Invalid.describe(e));
    }
    if (result == null) {
      return Optional.of("the condition gave no result");
    }
    if (result.failedToEvaluate()) {
      return Optional.of("the condition could not be evaluated: " + result.error());
    }
    return result.satisfied() ? Optional.empty() : Optional.of("the condition is false");
  }

  // ---- who signed ---------------------------------------------------------------------------

  /** Whether {@code authority} signed an attachment; with the signer's identity, or why not. */
  record Match(boolean signed, String identity, String problem) {
    static Match signed(String identity) {
      return new Match(true, identity, null);
    }

    static Match not(String problem) {
      return new Match(false, null, problem);
    }
  }

  Match match(Attachment a, Authority authority) {
    return matcher.match(a, authority);
  }

  // ---- messages -----------------------------------------------------------------------------

  /** An attachment as denials name it: its format and where it was found. */
  private static String describe(Attachment a) {
    return a.format() + " " + a.source();
  }

  private String signFix(Authority authority) {
    if (authority instanceof Authority.Key key) {
      return "sign it with the key of " + key.name() + ": cosign sign --key <private key of " + key.name() + "> " + image;
    }
    if (authority instanceof Authority.CertificateChain chain) {
      return "sign it with a certificate of " + chain.name() + (chain.identities().isEmpty() ? "" : " " + chain.identities())
          + ": cosign sign" + keyFlag(authority) + " " + image;
    }
    return "sign it keyless as an identity of " + authority.name() + " " + ((Authority.Keyless) authority).identities()
        + ": cosign sign " + image;
  }

  private String promoteFix(PromotionRule rule) {
    Authority authority = rule.signedBy().get(0);
    return "promote it: cosign attest --type " + Promotion.PREDICATE_TYPE + " --predicate promotion.json"
        + keyFlag(authority) + " " + image + ", where promotion.json is {\"environment\": \""
        + rule.environment() + "\", \"promotedAt\": \"<now, RFC 3339>\", \"approver\": \"<you>\"}"
        + (authority instanceof Authority.Keyless k ? ", signing in as an identity of " + k.name() + " " + k.identities() : "");
  }

  private String attestFix(String predicateType, Authority authority) {
    return "cosign attest --type " + predicateType + " --predicate <predicate.json>" + keyFlag(authority) + " " + image
        + (authority instanceof Authority.Keyless k ? ", signing in as an identity of " + k.name() + " " + k.identities() : "");
  }

  private static String keyFlag(Authority authority) {
    if (authority instanceof Authority.CertificateChain) {
      return " --key <private key> --certificate <certificate of " + authority.name()
          + "> --certificate-chain <its CA chain>";
    }
    return authority instanceof Authority.Key ? " --key <private key of " + authority.name() + ">" : "";
  }

  /** {@code ci}, {@code ci or release-managers}, {@code a, b or c}. */
  static String names(List<Authority> authorities) {
    List<String> n = authorities.stream().map(Authority::name).distinct().toList();
    if (n.size() == 1) {
      return n.get(0);
    }
    return String.join(", ", n.subList(0, n.size() - 1)) + " or " + n.get(n.size() - 1);
  }

  private static String join(List<String> findings) {
    if (findings.size() <= MAX_FINDINGS) {
      return String.join("; ", findings);
    }
    return findings.stream().limit(MAX_FINDINGS).collect(Collectors.joining("; "))
        + "; and " + (findings.size() - MAX_FINDINGS) + " more";
  }

  /** {@code 31 days}, {@code 1 day}, {@code 5 hours}, {@code 12 minutes}. */
  static String age(Duration d) {
    long days = d.toDays();
    if (days >= 1) {
      return days + (days == 1 ? " day" : " days");
    }
    long hours = d.toHours();
    if (hours >= 1) {
      return hours + (hours == 1 ? " hour" : " hours");
    }
    long minutes = d.toMinutes();
    return minutes + (minutes == 1 ? " minute" : " minutes");
  }

  /** A duration as a policy writes it: {@code 720h}, {@code 90m}, {@code 45s}. */
  static String goDuration(Duration d) {
    if (d.toSecondsPart() == 0 && d.toMinutesPart() == 0 && d.toHours() > 0) {
      return d.toHours() + "h";
    }
    if (d.toSecondsPart() == 0 && d.toMinutes() > 0) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }

}
