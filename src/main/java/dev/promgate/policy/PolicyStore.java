package dev.promgate.policy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holds the policy set in force and hot-reloads it from its directory.
 *
 * <p>Watching: a Vert.x periodic timer (every 2 s by default) re-reads, on a worker thread, every
 * file the last load read (policy files, keys, trusted roots, CA bundles, credentials) and the
 * directory listing, and compares their content digests with those of the last load. Content, not
 * modification times: Kubernetes updates a mounted ConfigMap or Secret by swapping a {@code ..data}
 * symlink, which a timestamp check misses. Only a change triggers a load, so a broken file is
 * reported once, not every two seconds.
 *
 * <p>Reloading: a changed directory that loads cleanly becomes {@link #current()} with the next
 * generation number. A change that has problems (or a directory that vanished or emptied, as it
 * may for a moment during a rollout) is logged problem by problem at WARNING, kept in
 * {@link #lastProblems()}, and the last good set stays in force. Listeners hear of both.
 *
 * <p>Threads: loads never run on the event loop; they run one at a time through
 * {@code executeBlocking}. {@link #current()} may be read from any thread.
 */
public final class PolicyStore implements AutoCloseable {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

  private static final Logger LOG = Logger.getLogger(PolicyStore.class.getName());

  /** What a check did, for listeners (called on the store's Vert.x context). */
  public sealed interface ReloadEvent permits ReloadEvent.Applied, ReloadEvent.Rejected {

    /** A new policy set is in force; {@code previous} is empty for the first load. */
    record Applied(Optional<PolicySet> previous, PolicySet current) implements ReloadEvent {}

    /** The directory changed but did not load; {@code kept} is the set still in force, if any. */
    record Rejected(List<PolicyProblem> problems, Optional<PolicySet> kept) implements ReloadEvent {}
  }

  private final Vertx vertx;
  private final Path directory;
  private final Path absoluteDirectory;
  private final Duration interval;
  private final List<Consumer<ReloadEvent>> listeners = new CopyOnWriteArrayList<>();

  private volatile PolicySet current;
  private volatile List<PolicyProblem> lastProblems = List.of();
  /** Inputs of the last load attempt, good or bad; null before the first. */
  private volatile Map<Path, String> lastInputs;
  private volatile boolean closed;
  /** Completed checks, changed or not; lets tests wait for the watcher to have looked again. */
  private final AtomicLong completedChecks = new AtomicLong();
  /** The context all checks run from; state below is only touched on it. */
  private volatile Context context;
  private long timerId = -1;
  /** At most one check at a time. */
  private boolean checking;

  public PolicyStore(Vertx vertx, Path directory) {
    this(vertx, directory, DEFAULT_INTERVAL);
  }

  /**
   * @param directory the policy directory as the user named it (problems name files relative to it)
   * @param interval  how often to look for changes
   */
  public PolicyStore(Vertx vertx, Path directory, Duration interval) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.absoluteDirectory = directory.toAbsolutePath().normalize();
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    this.interval = interval;
  }

  /**
   * Loads the directory and starts watching it. The future completes with the first load's
   * result, good or bad, and fails only if the store is already started or closed. Watching goes
   * on either way: a server can start not ready and become ready when the files are fixed.
   */
  public Future<PolicyLoadResult> start() {
    if (context != null || closed) {
      return Future.failedFuture(new IllegalStateException("policy store already started or closed"));
    }
    context = vertx.getOrCreateContext();
    Promise<PolicyLoadResult> first = Promise.promise();
    context.runOnContext(v -> {
      timerId = vertx.setPeriodic(interval.toMillis(), id -> check(false));
      runCheck(true).onComplete(first);
    });
    return first.future();
  }

  /**
   * Loads now instead of waiting for the timer, even if nothing seems changed. Completes with the
   * load's result, or empty if a check was already running (its result will be applied).
   */
  public Future<Optional<PolicyLoadResult>> reloadNow() {
    if (context == null) {
      return Future.failedFuture(new IllegalStateException("policy store not started"));
    }
    Promise<Optional<PolicyLoadResult>> done = Promise.promise();
    context.runOnContext(v -> {
      if (checking || closed) {
        done.complete(Optional.empty());
      } else {
        runCheck(true).map(Optional::ofNullable).onComplete(done);
      }
    });
    return done.future();
  }

  /** The policy set in force; empty until a load succeeded. */
  public Optional<PolicySet> current() {
    return Optional.ofNullable(current);
  }

  /** The problems of the latest load attempt; empty when it succeeded. */
  public List<PolicyProblem> lastProblems() {
    return lastProblems;
  }

  public Path directory() {
    return directory;
  }

  /** Called after every load attempt that followed a change, on the store's Vert.x context. */
  public void onReload(Consumer<ReloadEvent> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void close() {
    closed = true;
    Context c = context;
    if (c != null) {
      c.runOnContext(v -> {
        if (timerId >= 0) {
          vertx.cancelTimer(timerId);
        }
      });
    }
  }

  long completedChecks() {
    return completedChecks.get();
  }

  private void check(boolean force) {
    if (!checking && !closed) {
      runCheck(force);
    }
  }

  /** Runs one check on a worker; completes with the load result, or null when nothing changed. */
  private Future<PolicyLoadResult> runCheck(boolean force) {
    checking = true;
    long nextGeneration = current == null ? 1 : current.generation() + 1;
    return context.<PolicyLoadResult>executeBlocking(() -> {
      Map<Path, String> inputs = lastInputs;
      if (!force && inputs != null && unchanged(inputs)) {
        return null;
      }
      return PolicyLoader.load(directory, nextGeneration);
    }, false).andThen(ar -> {
      checking = false;
      completedChecks.incrementAndGet();
      if (closed) {
        return;
      }
      if (ar.failed()) {
        // A bug in the loader, not in the files: keep what is in force and say so loudly.
        LOG.log(Level.SEVERE, "loading policies from " + directory + " failed unexpectedly", ar.cause());
        lastProblems = List.of(new PolicyProblem(directory.toString(), 1, 1,
            "internal error while loading policies: " + ar.cause()));
        return;
      }
      if (ar.result() != null) {
        apply(ar.result());
      }
    });
  }

  /**
   * A new set that leaves an environment which decided requests recently with no PromotionPolicy
   * at all would deny everything there: a failed load instead, so the set in force stays.
   */
  private PolicyLoadResult keepsServedEnvironments(PolicyLoadResult result, PolicySet inForce) {
    if (!(result instanceof PolicyLoadResult.Loaded loaded) || inForce == null) {
      return result;
    }
    PolicySet next = loaded.policies();
    Instant recent = Instant.now().minus(RECENTLY_SERVED);
    List<PolicyProblem> problems = new ArrayList<>();
    for (Map.Entry<String, Instant> e : new TreeMap<>(inForce.lastServed()).entrySet()) {
      String environment = e.getKey();
      if (e.getValue().isBefore(recent) || next.defines(environment)) {
        continue;
      }
      String file = inForce.policies().stream().filter(p -> p.environments().containsKey(environment))
          .map(p -> directory.resolve(p.source().getFileName()).toString()).findFirst().orElse(directory.toString());
      problems.add(new PolicyProblem(file, 1, 1, "environment \"" + environment + "\" decided admission requests"
          + " in the last " + RECENTLY_SERVED.toMinutes() + " minutes (generation " + inForce.generation()
          + " defines it), but after this edit no PromotionPolicy defines it: every request there would be denied;"
          + " generation " + inForce.generation() + " stays in force. Restore its rules; to retire the environment,"
          + " remove its webhook first and edit the policies once it has had no request for "
          + RECENTLY_SERVED.toMinutes() + " minutes"));
    }
    return problems.isEmpty() ? result : new PolicyLoadResult.Failed(problems, loaded.inputs());
  }

  private boolean unchanged(Map<Path, String> inputs) {
    for (Map.Entry<Path, String> e : inputs.entrySet()) {
      String now = InputFiles.currentDigest(e.getKey(), e.getKey().equals(absoluteDirectory));
      if (!now.equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * How recently an environment must have decided a request for an edit that leaves it without any
   * policy to be refused. To retire an environment, stop sending it requests (remove its webhook)
   * for this long first.
   */
  static final Duration RECENTLY_SERVED = Duration.ofMinutes(15);

  private void apply(PolicyLoadResult loadResult) {
    PolicyLoadResult result = keepsServedEnvironments(loadResult, current);
    lastInputs = result.inputs();
    ReloadEvent event;
    if (result instanceof PolicyLoadResult.Loaded loaded) {
      if (current != null) {
        loaded.policies().inheritServed(current);
      }
      PolicySet previous = current;
      current = loaded.policies();
      lastProblems = List.of();
      PolicySet set = loaded.policies();
      LOG.info(() -> "policies " + (previous == null ? "loaded" : "reloaded") + " from " + directory
          + ": generation " + set.generation() + ", " + set.policies().size() + " PromotionPolicy, environments "
          + String.join(", ", set.environments()));
      event = new ReloadEvent.Applied(Optional.ofNullable(previous), set);
    } else {
      PolicyLoadResult.Failed failed = (PolicyLoadResult.Failed) result;
      lastProblems = failed.problems();
      PolicySet kept = current;
      for (PolicyProblem problem : failed.problems()) {
        LOG.warning(problem::toString);
      }
      LOG.warning(() -> "policies in " + directory + " have " + failed.problems().size() + " problem"
          + (failed.problems().size() == 1 ? "" : "s") + "; "
          + (kept == null ? "no policy set is in force yet" : "generation " + kept.generation() + " stays in force"));
      event = new ReloadEvent.Rejected(failed.problems(), Optional.ofNullable(kept));
    }
    for (Consumer<ReloadEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a policy reload listener failed", e);
      }
    }
  }
}
