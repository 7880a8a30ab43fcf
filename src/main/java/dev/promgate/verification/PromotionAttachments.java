package dev.promgate.verification;

import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules.PromotionRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The promotion attestations among an image's attachments, each parsed once: for the promotion
 * requirements of a verification, and listed with who signed them for {@code promgate status}.
 */
final class PromotionAttachments {

  private final List<Attachment> attachments;
  private final Signers signers;
  private final Instant now;
  private final Map<Attachment, Parsed> parsed = new IdentityHashMap<>();

  PromotionAttachments(List<Attachment> attachments, Signers signers, Instant now) {
    this.attachments = attachments;
    this.signers = signers;
    this.now = now;
  }

  /** A promotion attestation that could be read, and where it came from. */
  record ReadPromotion(Attachment attachment, Promotion promotion) {}

  /**
   * Every attachment that is a readable promotion attestation. Those that are promotions (or,
   * with {@code unclaimedToo}, that could be: an unreadable layer that names no predicate type) but
   * cannot be read are added to {@code unreadable}, naming where they came from.
   */
  List<ReadPromotion> read(List<String> unreadable, boolean unclaimedToo) {
    List<ReadPromotion> read = new ArrayList<>();
    for (Attachment a : attachments) {
      if (a.unusable().isPresent()) {
        boolean claims = unclaimedToo ? a.mayBeAbout(Promotion.PREDICATE_TYPE)
            : a.claimedPredicateType().filter(Promotion.PREDICATE_TYPE::equals).isPresent();
        if (claims) {
          unreadable.add(Messages.describe(a) + ": " + a.unusable().get());
        }
        continue;
      }
      Optional<InTotoStatement> statement = a.statement();
      if (statement.isEmpty() || !Promotion.PREDICATE_TYPE.equals(statement.get().predicateType())) {
        continue;
      }
      Parsed parsed = parse(a, statement.get());
      if (parsed.promotion() == null) {
        unreadable.add(Messages.describe(a) + ": " + parsed.problem());
      } else {
        read.add(new ReadPromotion(a, parsed.promotion()));
      }
    }
    return read;
  }

  /** A promotion as parsed: the promotion, or why it cannot be read. */
  private record Parsed(Promotion promotion, String problem) {}

  /** Parsed once per attachment. */
  private Parsed parse(Attachment a, InTotoStatement statement) {
    return parsed.computeIfAbsent(a, x -> {
      try {
        return new Parsed(Promotion.parse(statement), null);
      } catch (Invalid e) {
        return new Parsed(null, e.getMessage());
      }
    });
  }

  /**
   * Every readable promotion, each checked against the authorities that count for its environment
   * (the first that signed it is named); attachments that claim to be promotions but cannot be
   * read are listed with the reason. For {@code promgate status} and {@code promote}.
   */
  FoundPromotion.All status(Function<String, List<Authority>> authoritiesFor) {
    List<FoundPromotion> found = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (ReadPromotion read : read(unreadable, false)) {
      Attachment a = read.attachment();
      Promotion p = read.promotion();
      List<Authority> authorities = authoritiesFor.apply(p.environment());
      Optional<String> authority = Optional.empty();
      Optional<String> signer = Optional.empty();
      List<String> problems = new ArrayList<>();
      for (Authority candidate : authorities) {
        Signers.Match m = signers.match(a, candidate);
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
        problem = Optional.of("not signed by " + Messages.names(authorities) + ": " + String.join(" and ", problems));
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
}
