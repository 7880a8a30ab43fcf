package dev.promgate.verdict;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.promgate.policy.GateConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Verdicts per image digest, so that a repeat decision costs microseconds and never touches a
 * registry.
 *
 * <p><b>Keys.</b> (repository, digest, environment, requirements fingerprint) — never a tag. The
 * fingerprint covers every rule and every piece of trust material that applies, so a policy
 * reload that changes requirements cannot reuse a verdict made under the old ones, while a reload
 * that leaves them alone keeps the cache warm. The repository is part of the key because
 * signatures are looked up next to the image: the same digest in another repository has its own.
 *
 * <p><b>Concurrency.</b> Caffeine's async cache holds the verification future itself, so
 * concurrent misses for one key — the same image in many containers or in many requests — share
 * one verification ("coalesced"). Verification runs off the event loop (the {@link Verifier}
 * promises that); completing the future hands the result back to the caller's Vert.x context.
 *
 * <p><b>Expiration</b> is per entry ({@link Expiry}):
 * <ul>
 *   <li>Verified: fresh for {@code ttl}, then kept up to {@code staleIfError} longer as a fallback
 *       — but never past the earliest expiry of its evidence (a promotion's promotedAt + maxAge);</li>
 *   <li>Rejected: {@code negativeTtl}, short, so a fresh promotion takes effect quickly;</li>
 *   <li>Unverifiable: not cached at all — a registry outage must not turn into cached denials.</li>
 * </ul>
 *
 * <p><b>Stale-if-error.</b> A verified entry past its TTL is re-verified on the next lookup (one
 * re-verification per key, others wait for it). If that attempt is Unverifiable — registry down,
 * timeout — the old verdict is served, marked {@code stale}, until its stale window or evidence
 * ends; known-good digests keep deploying during a registry outage. Any definite answer (Verified
 * or Rejected) replaces it.
 *
 * <p><b>Time</b> comes from a Caffeine {@link Ticker} (for lifetimes) and a {@link Clock} (for
 * evidence expiry); tests drive both with a fake.
 */
public final class VerdictCache implements VerdictSource {

  /** Cache key. {@code requirements} is {@link VerificationRequest#requirementsFingerprint()}. */
  record Key(String repository, String digest, String environment, String requirements) {}

  /**
   * A cached verdict.
   *
   * @param freshUntil ticker time after which it must be re-verified
   * @param keepUntil  ticker time after which it is gone (stale window and evidence expiry included)
   */
  record Entry(Verdict verdict, long freshUntil, long keepUntil, boolean servedStale) {}

  private final Verifier verifier;
  private final Ticker ticker;
  private final Clock clock;
  private final AsyncCache<Key, Entry> cache;
  private volatile GateConfig.CacheSettings settings;
  private final Map<String, Counter> lookups = new ConcurrentHashMap<>();
  private final Map<String, Timer> verificationTimers = new ConcurrentHashMap<>();
  private final Map<RemovalCause, Counter> evictions = new ConcurrentHashMap<>();
  private final MeterRegistry meters;

  public VerdictCache(Verifier verifier, GateConfig.CacheSettings settings, Ticker ticker, Clock clock,
                      MeterRegistry meters) {
    this.verifier = verifier;
    this.settings = settings;
    this.ticker = ticker;
    this.clock = clock;
    this.meters = meters;
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.maxEntries())
        .ticker(ticker)
        // Maintenance is cheap; running it on the caller keeps eviction deterministic.
        .executor(Runnable::run)
        .expireAfter(new EntryExpiry())
        .removalListener((Key k, Entry v, RemovalCause cause) -> {
          if (cause.wasEvicted()) {
            evictions.computeIfAbsent(cause, c -> Counter.builder("promgate_cache_evictions_total")
                .description("Verdicts dropped from the cache, by cause")
                .tag("cause", c.name().toLowerCase(java.util.Locale.ROOT)).register(meters)).increment();
          }
        })
        .buildAsync();
    Gauge.builder("promgate_cache_entries", cache, c -> c.synchronous().estimatedSize())
        .description("Verdicts in the cache").register(meters);
  }

  /** Applies new lifetimes and bound after a policy reload; existing entries keep theirs. */
  public void update(GateConfig.CacheSettings newSettings) {
    this.settings = newSettings;
    cache.synchronous().policy().eviction().ifPresent(e -> e.setMaximum(newSettings.maxEntries()));
  }

  public long size() {
    return cache.synchronous().estimatedSize();
  }

  /** Runs pending maintenance (eviction); for tests and measurements. */
  public void cleanUp() {
    cache.synchronous().cleanUp();
  }

  @Override
  public Future<Lookup> lookup(VerificationRequest request, Instant deadline) {
    Context context = Vertx.currentContext();
    Key key = new Key(request.image().name(), request.image().digest().toString(), request.environment(),
        request.requirementsFingerprint());
    long now = ticker.read();
    CompletableFuture<Entry> existing = cache.getIfPresent(key);
    if (existing != null) {
      if (!existing.isDone()) {
        return bridge(existing, context, e -> count(e.servedStale() ? "stale" : "coalesced"));
      }
      Entry entry = existing.getNow(null);
      if (entry != null && now - entry.freshUntil() < 0) {
        count("hit");
        return Future.succeededFuture(new Lookup(entry.verdict(), entry.servedStale() ? "stale" : "hit"));
      }
      if (entry != null && entry.verdict() instanceof Verdict.Verified && now - entry.keepUntil() < 0) {
        return revalidate(key, existing, entry, request, deadline, context);
      }
    }
    boolean[] started = {false};
    CompletableFuture<Entry> future = cache.get(key, (k, executor) -> {
      started[0] = true;
      return verify(request, deadline, Optional.empty());
    });
    if (started[0]) {
      // "Could not check" must not linger as an answer: drop it as soon as it is known.
      future.thenAccept(e -> {
        if (e.verdict() instanceof Verdict.Unverifiable) {
          cache.asMap().remove(key, future);
        }
      });
      return bridge(future, context, e -> count("miss"), "miss");
    }
    return bridge(future, context, e -> count("coalesced"));
  }

  /** Replaces a stale verified entry with a re-verification; only one caller wins, others join it. */
  private Future<Lookup> revalidate(Key key, CompletableFuture<Entry> stale, Entry staleEntry,
                                    VerificationRequest request, Instant deadline, Context context) {
    CompletableFuture<Entry> attempt = new CompletableFuture<>();
    if (cache.asMap().replace(key, stale, attempt)) {
      verify(request, deadline, Optional.of(staleEntry)).whenComplete((entry, error) -> {
        if (error != null) {
          cache.asMap().remove(key, attempt);
          attempt.completeExceptionally(error);
        } else {
          attempt.complete(entry);
        }
      });
      return bridge(attempt, context, e -> count(e.servedStale() ? "stale" : "miss"), "miss");
    }
    // Someone else is already re-verifying (or the entry changed): use what is there now.
    return lookup(request, deadline);
  }

  /**
   * Runs the verifier and wraps its verdict in an entry; with a stale fallback, an Unverifiable
   * answer yields the old verdict instead.
   */
  private CompletableFuture<Entry> verify(VerificationRequest request, Instant deadline, Optional<Entry> fallback) {
    long started = System.nanoTime();
    CompletableFuture<Entry> result = new CompletableFuture<>();
    Future<Verdict> verdict;
    try {
      verdict = verifier.verify(request, deadline);
    } catch (RuntimeException e) {
      verdict = Future.succeededFuture(new Verdict.Unverifiable("internal", "verifier failed: " + e));
    }
    verdict.onComplete(done -> {
      Verdict v = done.succeeded() ? done.result()
          : new Verdict.Unverifiable("internal", "verifier failed: " + done.cause());
      timer(v.outcome()).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      if (v instanceof Verdict.Unverifiable && fallback.isPresent()) {
        Entry old = fallback.get();
        result.complete(new Entry(old.verdict(), old.freshUntil(), old.keepUntil(), true));
      } else {
        result.complete(entryFor(v));
      }
    });
    return result;
  }

  private Entry entryFor(Verdict v) {
    long now = ticker.read();
    GateConfig.CacheSettings s = settings;
    if (v instanceof Verdict.Verified verified) {
      long fresh = s.ttl().toNanos();
      long keep = saturatedAdd(fresh, s.staleIfError().toNanos());
      Optional<Instant> evidenceEnd = verified.expiresAt();
      if (evidenceEnd.isPresent()) {
        long left = Math.max(0, Duration.between(clock.instant(), evidenceEnd.get()).toNanos());
        fresh = Math.min(fresh, left);
        keep = Math.min(keep, left);
      }
      return new Entry(v, now + fresh, now + keep, false);
    }
    if (v instanceof Verdict.Rejected) {
      long negative = s.negativeTtl().toNanos();
      return new Entry(v, now + negative, now + negative, false);
    }
    return new Entry(v, now, now, false);
  }

  private Future<Lookup> bridge(CompletableFuture<Entry> future, Context context,
                                java.util.function.Consumer<Entry> onEntry) {
    return bridge(future, context, onEntry, null);
  }

  private Future<Lookup> bridge(CompletableFuture<Entry> future, Context context,
                                java.util.function.Consumer<Entry> onEntry, String label) {
    Future<Entry> f = context == null ? Future.fromCompletionStage(future)
        : Future.fromCompletionStage(future, context);
    return f.map(entry -> {
      onEntry.accept(entry);
      String cacheLabel = entry.servedStale() ? "stale" : label == null ? "coalesced" : label;
      return new Lookup(entry.verdict(), cacheLabel);
    }).otherwise(e -> new Lookup(new Verdict.Unverifiable("internal", "verification failed: " + e), "miss"));
  }

  private void count(String result) {
    lookups.computeIfAbsent(result, r -> Counter.builder("promgate_cache_lookups_total")
        .description("Verdict cache lookups: hit, miss, coalesced (joined a verification under way), "
            + "stale (served a verified verdict past its TTL because re-verification failed)")
        .tag("result", r).register(meters)).increment();
  }

  private Timer timer(String outcome) {
    return verificationTimers.computeIfAbsent(outcome, o -> Timer.builder("promgate_verification_seconds")
        .description("Time to verify one digest against its requirements, by outcome")
        .tag("outcome", o)
        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10))
        .register(meters));
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /** Lifetimes come from the entry itself: computed once, when the verdict arrives. */
  private final class EntryExpiry implements Expiry<Key, Entry> {
    @Override
    public long expireAfterCreate(Key key, Entry entry, long currentTime) {
      return Math.max(0, entry.keepUntil() - currentTime);
    }

    @Override
    public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
      return Math.max(0, entry.keepUntil() - currentTime);
    }

    @Override
    public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
