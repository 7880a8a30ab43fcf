package dev.promgate.promotion;

import dev.promgate.judgement.Judgement;
import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.registry.RegistryClient;
import dev.promgate.registry.RegistryException;
import dev.promgate.verification.FoundPromotion;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code promgate status}: what of a repository is promoted where, and what is admissible there now. */
final class StatusReader {

  /** Tags cosign and OCI clients attach to a digest: {@code sha256-<hex>.att} and the referrers tag. */
  private static final Pattern ATTACHED_TAG = Pattern.compile("(sha256|sha384|sha512)-([0-9a-f]{64,128})(\\.[a-z]+)?");
  /** Ordinary tags resolved for status, at most; more are reported as left out. */
  static final int MAX_TAGS_RESOLVED = 200;
  /** Digests read for status, at most. */
  static final int MAX_DIGESTS = 200;

  private final PromotionWorkflow workflow;
  private final PolicySet policies;
  private final RegistryClient registry;
  private final Clock clock;

  StatusReader(PromotionWorkflow workflow) {
    this.workflow = workflow;
    this.policies = workflow.policies;
    this.registry = workflow.registry;
    this.clock = workflow.clock;
  }

  /** See {@link PromotionWorkflow#status}. */
  StatusReport status(String repository, Optional<String> environment) {
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

    List<String> tags = Blocking.await(registry.tags(repo, workflow.deadline()));
    Map<Digest, List<String>> tagsByDigest = resolveTags(repo, tags, notes);
    List<Digest> promoted = attachedDigests(tags, notes);

    List<StatusReport.Unverified> unverified = new ArrayList<>();
    Map<String, Map<Digest, List<FoundPromotion>>> counted = new TreeMap<>();
    for (Digest digest : promoted) {
      ImageReference pinned = repo.withDigest(digest);
      FoundPromotion.All all;
      try {
        all = workflow.promotions(pinned, governing, workflow.deadline());
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
      Blocking.await(registry.manifest(pinned, workflow.deadline()));
      exists = true;
    } catch (RegistryException e) {
      exists = false;
      reasons.add(e.kind() == RegistryException.Kind.NOT_FOUND
          ? "the image is no longer in the registry (its promotions remain)"
          : "could not be read: " + e.getMessage());
    }
    boolean admissible = false;
    if (exists) {
      Judgement result = workflow.judge(pinned, env);
      admissible = !result.failed();
      reasons.addAll(result.problems());
    }
    return new StatusReport.Entry(pinned, newest, found.size(), exists, admissible, reasons, tags);
  }

  /** The digests cosign's {@code .att} tags and the referrers tags name, newest tag listing order kept. */
  private static List<Digest> attachedDigests(List<String> tags, List<String> notes) {
    Set<Digest> digests = new LinkedHashSet<>();
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
    Instant deadline = workflow.deadline();
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
}
