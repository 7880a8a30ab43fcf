package dev.promgate;

import dev.promgate.admission.AdmissionCall;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.decision.Decisions;
import dev.promgate.decision.ImageResult;
import dev.promgate.decision.Outcome;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.http.AdmissionHandler;
import dev.promgate.judgement.Cutoff;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.Judgement;
import dev.promgate.judgement.Scope;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.workload.ContainerImage;
import dev.promgate.workload.WorkloadImages;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/**
 * The whole admission flow in one readable method, {@link #admit}: review → workload images →
 * environment → per-image judgement → decision (with the break-glass annotation where the
 * GateConfig allows it) → log; the HTTP layer turns the decision into the response. Each step
 * lives in its own package; this class only sequences them. It never touches HTTP.
 */
public final class AdmissionPipeline implements AdmissionHandler {

  private final Supplier<PolicySet> policies;
  private final ImageJudge judge;
  private final Optional<Mode> modeOverride;
  private final DecisionLog log;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Cutoff.Timers cutoffs;
  private final Map<Outcome, Timer> timers = new ConcurrentHashMap<>();

  /**
   * A pipeline whose steps are bounded by the deadline each is handed, with no timer of its own
   * (the offline commands, tests).
   *
   * @param policies     the policy set in force (hot-reloaded behind this supplier)
   * @param modeOverride {@code serve --mode audit}
   */
  public AdmissionPipeline(Supplier<PolicySet> policies, ImageJudge judge, Optional<Mode> modeOverride,
                           DecisionLog log, Clock clock, MeterRegistry meters) {
    this(policies, judge, modeOverride, log, clock, meters, Cutoff.Timers.NONE);
  }

  /**
   * @param policies     the policy set in force (hot-reloaded behind this supplier)
   * @param modeOverride {@code serve --mode audit}
   * @param cutoffs      the timers that answer a request at its cutoff, whatever is still pending
   */
  public AdmissionPipeline(Supplier<PolicySet> policies, ImageJudge judge, Optional<Mode> modeOverride,
                           DecisionLog log, Clock clock, MeterRegistry meters, Cutoff.Timers cutoffs) {
    this.policies = policies;
    this.judge = judge;
    this.modeOverride = modeOverride;
    this.log = log;
    this.clock = clock;
    this.meters = meters;
    this.cutoffs = cutoffs;
  }

  /** Decides a request that arrives now. */
  public Future<Decision> admit(AdmissionCall call, EnvironmentResolver.Route route) {
    return admit(call, route, System.nanoTime());
  }

  /**
   * Decides one request by its arrival plus the verification budget, whatever is still pending
   * then ({@link Cutoff}). The future always succeeds: every problem, including an unexpected one,
   * is a decision (a denial when in doubt).
   *
   * @param route   what the request path says about the environment
   * @param arrived {@link System#nanoTime()} when the request arrived
   */
  @Override
  public Future<Decision> admit(AdmissionCall call, EnvironmentResolver.Route route, long arrived) {
    Instant at = clock.instant();
    // Reading and parsing the body came out of the same budget.
    Duration waited = Duration.ofNanos(Math.max(0, System.nanoTime() - arrived));
    PolicySet set = policies.get();
    Future<Decision> decision;
    try {
      decision = decide(call, route, set, at, waited);
    } catch (RuntimeException e) {
      decision = Future.failedFuture(e);
    }
    return decision
        .recover(e -> Future.succeededFuture(Decisions.refuse(call,
            "promgate could not decide (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                + "); denied rather than admitted unverified", modeOverride.orElse(Mode.ENFORCE), "",
            set.generation())))
        .onSuccess(d -> {
          Duration took = Duration.ofNanos(System.nanoTime() - arrived);
          log.record(d, at, took);
          timers.computeIfAbsent(d.outcome(), outcome -> Timer.builder("promgate_decision_seconds")
              .description("Time to decide one admission request, by decision")
              .tag("decision", outcome.wireName())
              .serviceLevelObjectives(DECISION_BUCKETS)
              .register(meters))
              .record(took);
        })
        // The log line above keeps everything; the API server gets what it will carry.
        .map(Decisions::fitted);
  }

  private Future<Decision> decide(AdmissionCall call, EnvironmentResolver.Route route, PolicySet set,
                                  Instant at, Duration waited) {
    // The review
    long generation = set.generation();
    if (call.operation().equals("DELETE") || call.operation().equals("CONNECT")) {
      return done(Decisions.skip(call, call.operation() + " runs no new image", "", generation));
    }
    if (set.isNone()) {
      return done(Decisions.refuse(call, "no valid policy set is loaded, so nothing can be admitted; "
          + "fix the policy files (promgate policy check) — the log lists their problems",
          modeOverride.orElse(Mode.ENFORCE), "", generation));
    }
    var exemption = call.namespace().isEmpty() ? java.util.Optional.<dev.promgate.policy.Glob>empty()
        : set.gate().exemption(call.namespace());
    if (exemption.isPresent()) {
      return done(Decisions.exempt(call, route instanceof EnvironmentResolver.Named n ? n.environment() : "",
          exemption.get().toString(), !(route instanceof EnvironmentResolver.Unnamed), generation));
    }

    // Workload images
    WorkloadImages.Extraction workload = WorkloadImages.of(call);

    // Environment
    var resolution = EnvironmentResolver.resolve(route, call.namespace(), set);
    if (resolution instanceof EnvironmentResolver.Unknown unknown) {
      // A configuration error is no environment's business, so no environment's audit mode
      // softens it; only serve --mode audit does.
      return done(Decisions.refuse(call, "configuration error: " + unknown.message(),
          modeOverride.orElse(Mode.ENFORCE), "", generation));
    }
    String environment = ((EnvironmentResolver.Known) resolution).name();
    set.served(environment, at);
    if (workload instanceof WorkloadImages.NotAWorkload other) {
      return done(Decisions.skip(call, "kind " + other.kind() + " runs no containers", environment, generation));
    }
    if (workload instanceof WorkloadImages.Malformed malformed) {
      return done(Decisions.refuse(call, malformed.reason(),
          modeOverride.orElse(set.modeFor(environment, set.policies())), environment, generation));
    }
    List<ContainerImage> images = ((WorkloadImages.Images) workload).images();
    if (images.isEmpty()) {
      return done(Decisions.skip(call, "no image is new in this " + call.operation(), environment, generation));
    }

    // Per-image judgement: the same image string in several containers is judged once. Whatever
    // is not judged by the cutoff (arrival + budget) is answered for then.
    Duration budget = set.gate().timeouts().verification();
    Cutoff cutoff = new Cutoff(at.minus(waited).plus(budget), budget, clock, cutoffs);
    Scope scope = new Scope(environment, set, modeOverride, cutoff);
    Map<String, Future<Judgement>> byImage = new LinkedHashMap<>();
    List<Future<ImageResult>> results = new ArrayList<>(images.size());
    for (ContainerImage c : images) {
      results.add(byImage.computeIfAbsent(c.image(), image -> judge.judge(image, scope))
          .map(judgement -> new ImageResult(c, judgement)));
    }

    // Decision, and the break-glass annotation read with the workload's images.
    return Future.all(results).andThen(all -> cutoff.cancel()).map(all -> {
      Decision judged = Decisions.judged(call, environment, generation, all.list());
      if (judged.allowed()) {
        return judged;
      }
      return workload.breakGlass()
          .map(request -> Decisions.breakGlass(judged, request, set.gate().breakGlass(), at))
          .orElse(judged);
    });
  }

  private static Future<Decision> done(Decision d) {
    return Future.succeededFuture(d);
  }

  /** Buckets that resolve sub-millisecond decisions (cache hits) as well as slow registry misses. */
  private static final Duration[] DECISION_BUCKETS = LongStream.of(
          50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
          1_000_000, 2_500_000, 5_000_000, 10_000_000)
      .mapToObj(Duration::ofNanos).map(d -> d.multipliedBy(1000)).toArray(Duration[]::new);
}
