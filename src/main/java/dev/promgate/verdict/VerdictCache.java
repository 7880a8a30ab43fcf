package dev.promgate.verdict;

import com.github.benmanes.caffeine.cache.Cache;
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
 * <p><b>Concurrency.</b> Verifications under way are kept beside the cache, one future per key,
 * so concurrent misses for one key — the same image in many containers or in many requests —
 * share one verification ("coalesced"). Verification runs off the event loop (the {@link Verifier}
 * promises that); completing the future hands the result back to the caller's Vert.x context. A
 * verification runs under the deadline of the caller that started it; one that runs out of time is
 * Unverifiable about that deadline, not about the image, so a caller that joined it with a later
 * deadline of its own asks again under that one instead of inheriting the timeout. Each caller is
 * still answered by its own cutoff, and a timeout is never cached.
 *
 * <p><b>Memory.</b> A key is the digest's bytes plus a small number standing for (repository,
 * environment, requirements); a verified entry keeps its evidence packed into one byte array
 * ({@link CompactEvidence}). That is what keeps 100,000 cached digests to a few tens of MB.
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
 * ends; known-good digests keep deploying during a registry outage. While stale, it is served at
 * once for {@value #STALE_RETRY_SECONDS} seconds between re-verification attempts, so an outage
 * does not make every request wait for a timeout. Any definite answer (Verified or Rejected)
 * replaces it.
 *
 * <p><b>Time</b> comes from a Caffeine {@link Ticker} (for lifetimes) and a {@link Clock} (for
 * evidence expiry); tests drive both with a fake.
 */
public final class VerdictCache implements VerdictSource {

  /**
   * Cache key: a context number and the digest's bytes — for sha256, all 32 in four longs. Exact,
   * not a hash: two keys are equal only for the same digest in the same context. Longer digests
   * (sha384, sha512) use {@link LongDigestKey}.
   */
  static class Key {
    final int context;
    final long a;
    final long b;
    final long c;
    final long d;

    Key(int context, byte[] digest) {
      this.context = context;
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(digest);
      this.a = bytes.getLong();
      this.b = bytes.getLong();
      this.c = bytes.getLong();
      this.d = bytes.getLong();
    }

    /** For sha256, read straight from the hex text: no byte array on the way. */
    Key(int context, String hex) {
      this.context = context;
      this.a = Long.parseUnsignedLong(hex, 0, 16, 16);
      this.b = Long.parseUnsignedLong(hex, 16, 32, 16);
      this.c = Long.parseUnsignedLong(hex, 32, 48, 16);
      this.d = Long.parseUnsignedLong(hex, 48, 64, 16);
    }

    static Key of(int context, byte[] digest) {
      return digest.length > 32 ? new LongDigestKey(context, digest) : new Key(context, digest);
    }

    static Key of(int context, dev.promgate.image.Digest digest) {
      return digest.hex().length() == 64 ? new Key(context, digest.hex()) : of(context, digest.bytes());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.getClass() == getClass() && k.context == context && k.a == a && k.b == b
          && k.c == c && k.d == d;
    }

    @Override
    public int hashCode() {
      return (int) (a ^ (a >>> 32)) * 31 + context;
    }
  }

  /** A key for a digest longer than 32 bytes: the rest of it is compared too. */
  static final class LongDigestKey extends Key {
    final byte[] rest;

    LongDigestKey(int context, byte[] digest) {
      super(context, digest);
      this.rest = java.util.Arrays.copyOfRange(digest, 32, digest.length);
    }

    @Override
    public boolean equals(Object o) {
      return super.equals(o) && java.util.Arrays.equals(((LongDigestKey) o).rest, rest);
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }

  /**
   * A verification under way, with the deadline it runs under: its first caller's. A caller that
   * joins it with a later deadline of its own is not bound by that one (see {@link #lookup}).
   */
  private record InFlight(CompletableFuture<Entry> result, Instant deadline) {}

  /** What a context number stands for: everything but the digest that a verdict depends on. */
  private record Context(String repository, String algorithm, String environment, String requirements) {}

  /**
   * A cached verdict. Times are whole seconds on the cache's ticker, counted from its creation:
   * ints, because 100,000 entries are worth keeping small; rounded down, so an entry may end up to
   * a second early but never late.
   *
   * <p>A verified entry that is looked up gets its answer made once — the evidence unpacked and
   * rendered, in a {@link Lookup} — and keeps it while the cache's {@link #RENDERED_BUDGET} allows,
   * so that the next hit does no unpacking and no rendering. The answer goes when the entry goes.
   */
  static final class Entry {
    /** When it must be re-verified. */
    final int freshUntil;
    /** When it is gone (stale window and evidence expiry included). */
    final int keepUntil;
    final boolean servedStale;
    /** A verified verdict's evidence, packed ({@link CompactEvidence}); else null. */
    final byte[] evidence;
    /**
     * The verdict when it is not Verified (Rejected, or Unverifiable, which is handed to waiting
     * callers but never stored); else null.
     */
    final Verdict notVerified;
    /** The answer to a hit, once made and kept; {@link #GONE} once the entry left the cache. */
    private volatile Lookup served;

    Entry(int freshUntil, int keepUntil, boolean servedStale, byte[] evidence, Verdict notVerified) {
      this.freshUntil = freshUntil;
      this.keepUntil = keepUntil;
      this.servedStale = servedStale;
      this.evidence = evidence;
      this.notVerified = notVerified;
    }

    boolean verified() {
      return evidence != null;
    }

    /**
     * This verified entry, served stale because re-verification failed. It counts as fresh for a
     * short while, so that during an outage requests get it at once instead of each waiting for
     * the registry to time out again; then one re-verification is tried.
     */
    Entry stale(int now) {
      return new Entry(Math.min(now + STALE_RETRY_SECONDS, keepUntil), keepUntil, true, evidence, null);
    }

    /** Keeps {@code answer} unless one is kept already or the entry has left the cache. */
    boolean keep(Lookup answer) {
      return SERVED.compareAndSet(this, null, answer);
    }

    /** The kept answer, forgotten: the entry has left the cache. */
    Lookup leave() {
      Lookup kept = (Lookup) SERVED.getAndSet(this, GONE);
      return kept == GONE ? null : kept;
    }
  }

  private static final java.lang.invoke.VarHandle SERVED;

  static {
    try {
      SERVED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Entry.class, "served", Lookup.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Marks an entry that has left the cache: no answer is kept for it any more. */
  private static final Lookup GONE = new Lookup(new Verdict.Unverifiable(Verdict.Unverifiable.Category.INTERNAL,
      "evicted"), CacheSource.NONE, RenderedEvidence.NONE);

  /**
   * Heap for answers kept with entries, roughly counted ({@link RenderedEvidence#weight()}). Hot
   * verdicts fit many times over; past it, a hit renders its answer anew, as a miss does, and the
   * packed entries alone bound the cache's memory.
   */
  static final long RENDERED_BUDGET = 24L * 1024 * 1024;

  /** How long a stale verdict is served before the registry is tried again. */
  static final int STALE_RETRY_SECONDS = 15;

  private final Verifier verifier;
  private final Ticker ticker;
  /** Ticker time at creation: entry times count seconds from here. */
  private final long base;
  private final Clock clock;
  private final Cache<Key, Entry> cache;
  private final Map<Key, InFlight> inFlight = new ConcurrentHashMap<>();
  private final Map<Context, Integer> contexts = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger nextContext = new java.util.concurrent.atomic.AtomicInteger();
  /** Distinct (repository, environment, requirements) remembered; reloads add new ones over time. */
  private static final int MAX_CONTEXTS = 100_000;
  private final CompactEvidence evidence = new CompactEvidence();
  /** How much the answers kept with entries may weigh ({@link #RENDERED_BUDGET}; tests set less). */
  private volatile long renderedBudget = RENDERED_BUDGET;
  /** What the answers kept with entries weigh now. */
  private final java.util.concurrent.atomic.AtomicLong rendered = new java.util.concurrent.atomic.AtomicLong();
  private volatile GateConfig.CacheSettings settings;
  private final Map<CacheSource, Counter> lookups = new ConcurrentHashMap<>();
  private final Map<String, Timer> verificationTimers = new ConcurrentHashMap<>();
  private final Map<RemovalCause, Counter> evictions = new ConcurrentHashMap<>();
  private final MeterRegistry meters;

  public VerdictCache(Verifier verifier, GateConfig.CacheSettings settings, Ticker ticker, Clock clock,
                      MeterRegistry meters) {
    this.verifier = verifier;
    this.settings = settings;
    this.ticker = ticker;
    this.base = ticker.read();
    this.clock = clock;
    this.meters = meters;
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.maxEntries())
        .ticker(ticker)
        // Maintenance is cheap; running it on the caller keeps eviction deterministic.
        .executor(Runnable::run)
        .expireAfter(new EntryExpiry())
        .removalListener((Key k, Entry v, RemovalCause cause) -> {
          Lookup kept = v == null ? null : v.leave();
          if (kept != null) {
            rendered.addAndGet(-kept.evidence().weight());
          }
          if (cause.wasEvicted()) {
            evictions.computeIfAbsent(cause, c -> Counter.builder("promgate_cache_evictions_total")
                .description("Verdicts dropped from the cache, by cause")
                .tag("cause", c.name().toLowerCase(java.util.Locale.ROOT)).register(meters)).increment();
          }
        })
        .build();
    Gauge.builder("promgate_cache_entries", cache, Cache::estimatedSize)
        .description("Verdicts in the cache").register(meters);
  }

  /** Applies new lifetimes and bound after a policy reload; existing entries keep theirs. */
  public void update(GateConfig.CacheSettings newSettings) {
    this.settings = newSettings;
    cache.policy().eviction().ifPresent(e -> e.setMaximum(newSettings.maxEntries()));
  }

  public long size() {
    return cache.estimatedSize();
  }

  /** Runs pending maintenance (eviction); for tests and measurements. */
  public void cleanUp() {
    cache.cleanUp();
  }

  @Override
  public Future<Lookup> lookup(VerificationRequest request, Instant deadline) {
    io.vertx.core.Context context = Vertx.currentContext();
    Key key = keyOf(request);
    int now = seconds();
    Entry entry = cache.getIfPresent(key);
    if (entry != null && now < entry.freshUntil) {
      return answered(entry, request);
    }
    Optional<Entry> fallback = entry != null && entry.verified() && now < entry.keepUntil
        ? Optional.of(entry) : Optional.empty();
    CompletableFuture<Entry> mine = new CompletableFuture<>();
    InFlight slot = new InFlight(mine, deadline);
    InFlight running = inFlight.putIfAbsent(key, slot);
    if (running != null) {
      // Joined: its verdict is this caller's too — unless it ran out of time under an earlier
      // deadline than this caller's, which says nothing about the image: then this caller asks again
      // under its own deadline, so that which request came first does not cut a later one short.
      return bridge(running.result(), context, CacheSource.COALESCED, request,
          deadline.isAfter(running.deadline()) ? deadline : null);
    }
    // A verification may have finished between the cache read and taking the slot.
    Entry finished = cache.getIfPresent(key);
    if (finished != null && seconds() < finished.freshUntil) {
      inFlight.remove(key, slot);
      mine.complete(finished);
      return answered(finished, request);
    }
    verify(request, deadline, fallback).whenComplete((result, error) -> {
      if (result != null && cacheable(result)) {
        cache.put(key, result);
      } else if (result != null && fallback.isEmpty()) {
        cache.invalidate(key);
      }
      inFlight.remove(key, slot);
      if (error != null) {
        mine.completeExceptionally(error);
      } else {
        mine.complete(result);
      }
    });
    return bridge(mine, context, CacheSource.MISS, request, null);
  }

  /**
   * The request's time is up while the verification runs on (into the cache, for the next
   * request): a verified verdict within its stale-if-error window is served stale, as when a
   * re-verification fails; otherwise Unverifiable, naming the budget.
   */
  @Override
  public Lookup unfinished(VerificationRequest request, Duration budget) {
    Entry entry = cache.getIfPresent(keyOf(request));
    if (entry != null && entry.verified() && seconds() < entry.keepUntil) {
      // Not counted: the lookup is counted when its verification ends.
      return new Lookup(verdictOf(entry, request.image().name(), request.image().digest().hex()), CacheSource.STALE);
    }
    return VerdictSource.super.unfinished(request, budget);
  }

  /** A fresh (or, between retries, stale) cached verdict. */
  private Future<Lookup> answered(Entry entry, VerificationRequest request) {
    CacheSource label = entry.servedStale ? CacheSource.STALE : CacheSource.HIT;
    count(label);
    Lookup kept = entry.served;
    if (kept != null && kept != GONE) {
      return Future.succeededFuture(kept);
    }
    Lookup answer = new Lookup(verdictOf(entry, request.image().name(), request.image().digest().hex()), label);
    if (entry.verified()) {
      long weight = answer.evidence().weight();
      if (rendered.get() + weight <= renderedBudget && entry.keep(answer)) {
        rendered.addAndGet(weight);
      }
    }
    return Future.succeededFuture(answer);
  }

  /** Sets the weight the kept answers may reach; for tests. */
  void renderedBudget(long bytes) {
    this.renderedBudget = bytes;
  }

  /** What the answers kept with cached verdicts weigh, roughly; for tests and measurements. */
  long renderedWeight() {
    return rendered.get();
  }

  private Key keyOf(VerificationRequest request) {
    var digest = request.image().digest();
    Context c = new Context(request.image().name(), digest.algorithm(), request.environment(),
        request.requirementsFingerprint());
    Integer number = contexts.get(c);
    if (number == null) {
      if (contexts.size() >= MAX_CONTEXTS) {
        // Numbers are never reused, so forgetting them only orphans old entries, which expire.
        contexts.clear();
      }
      number = contexts.computeIfAbsent(c, k -> nextContext.getAndIncrement());
    }
    return Key.of(number, digest);
  }

  private Verdict verdictOf(Entry entry, String repository, String digestHex) {
    return entry.verified()
        ? new Verdict.Verified(evidence.unpack(entry.evidence, repository, digestHex)) : entry.notVerified;
  }

  private static boolean cacheable(Entry entry) {
    return entry.verified() || entry.notVerified instanceof Verdict.Rejected;
  }

  /**
   * Runs the verifier and wraps its verdict in an entry; with a stale fallback, an Unverifiable
   * answer yields the old verdict instead, marked stale.
   */
  private CompletableFuture<Entry> verify(VerificationRequest request, Instant deadline, Optional<Entry> fallback) {
    long started = System.nanoTime();
    CompletableFuture<Entry> result = new CompletableFuture<>();
    FailureBoundary.guard(request.image(), () -> verifier.verify(request, deadline)).onSuccess(v -> {
      timer(v.outcome()).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      // The fallback may have reached the end of its evidence while the registry was being asked.
      if (v instanceof Verdict.Unverifiable && fallback.isPresent() && seconds() < fallback.get().keepUntil) {
        result.complete(fallback.get().stale(seconds()));
      } else {
        result.complete(entryFor(v, request));
      }
    });
    return result;
  }

  private Entry entryFor(Verdict v, VerificationRequest request) {
    int now = seconds();
    GateConfig.CacheSettings s = settings;
    if (v instanceof Verdict.Verified verified) {
      long fresh = s.ttl().toSeconds();
      long keep = fresh + s.staleIfError().toSeconds();
      Optional<Instant> evidenceEnd = verified.expiresAt();
      if (evidenceEnd.isPresent()) {
        long left = Math.max(0, Duration.between(clock.instant(), evidenceEnd.get()).toSeconds());
        fresh = Math.min(fresh, left);
        keep = Math.min(keep, left);
      }
      return new Entry(plus(now, fresh), plus(now, keep), false,
          evidence.pack(verified.evidence(), request.image().name(), request.image().digest().hex()), null);
    }
    if (v instanceof Verdict.Rejected) {
      int until = plus(now, s.negativeTtl().toSeconds());
      return new Entry(until, until, false, null, v);
    }
    return new Entry(now, now, false, null, v);
  }

  /** Seconds since this cache was created, on its ticker. */
  private int seconds() {
    return (int) Math.min(Integer.MAX_VALUE / 2, TimeUnit.NANOSECONDS.toSeconds(ticker.read() - base));
  }

  private static int plus(int now, long seconds) {
    return (int) Math.min(Integer.MAX_VALUE / 2, now + seconds);
  }

  /**
   * The verification's outcome as this caller's lookup, on the caller's context.
   *
   * @param askAgainUntil for a caller that joined a verification running under an earlier deadline:
   *                      its own deadline, under which it asks again if that verification ran out of
   *                      time; else null
   */
  private Future<Lookup> bridge(CompletableFuture<Entry> future, io.vertx.core.Context context, CacheSource label,
                                VerificationRequest request, Instant askAgainUntil) {
    Future<Entry> f = context == null ? Future.fromCompletionStage(future)
        : Future.fromCompletionStage(future, context);
    return FailureBoundary.guard(request.image(), () -> f.compose(entry -> {
      if (askAgainUntil != null && ranOutOfTime(entry) && clock.instant().isBefore(askAgainUntil)) {
        return lookup(request, askAgainUntil);
      }
      CacheSource source = entry.servedStale ? CacheSource.STALE : label;
      count(source);
      return Future.succeededFuture(
          new Lookup(verdictOf(entry, request.image().name(), request.image().digest().hex()), source));
    }), verdict -> new Lookup(verdict, label));
  }

  /** An Unverifiable verdict because time ran out: about the deadline it ran under, not the image. */
  private static boolean ranOutOfTime(Entry entry) {
    return !entry.verified() && !entry.servedStale && entry.notVerified instanceof Verdict.Unverifiable u
        && u.category() == Verdict.Unverifiable.Category.TIMEOUT;
  }

  private void count(CacheSource result) {
    lookups.computeIfAbsent(result, r -> Counter.builder("promgate_cache_lookups_total")
        .description("Verdict cache lookups: hit, miss, coalesced (joined a verification under way), "
            + "stale (served a verified verdict past its TTL because re-verification failed)")
        .tag("result", r.wireName()).register(meters)).increment();
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

  /** Lifetimes come from the entry itself: computed once, when the verdict arrives. */
  private final class EntryExpiry implements Expiry<Key, Entry> {
    @Override
    public long expireAfterCreate(Key key, Entry entry, long currentTime) {
      return remaining(entry, currentTime);
    }

    @Override
    public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
      return remaining(entry, currentTime);
    }

    @Override
    public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
      return currentDuration;
    }

    private long remaining(Entry entry, long currentTime) {
      return Math.max(0, base + TimeUnit.SECONDS.toNanos(entry.keepUntil) - currentTime);
    }
  }
}
