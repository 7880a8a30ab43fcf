package dev.promgate.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * One registry's circuit breaker, so that a registry that cannot be reached costs decisions
 * milliseconds instead of a connect timeout and retries each.
 *
 * <p>States: <b>closed</b> (requests go out; {@value #FAILURES_TO_OPEN} connection failures in a
 * row open it), <b>open</b> (every request fails at once as UNREACHABLE, naming the breaker, until
 * the probe interval has passed), <b>half-open</b> (one request, the probe, goes out; the others
 * still fail at once; the probe's success closes the breaker, its failure opens it again). Any HTTP
 * answer counts as success — a 404 or a 503 proves the registry is reachable; only connection
 * failures (refused, reset, DNS, TLS, connect or request timeout) count against it.
 *
 * <p>Decisions still get stale-if-error answers while it is open: the verdict cache treats its
 * refusal like any other unreachable registry.
 */
final class CircuitBreaker {

  private static final Logger LOG = Logger.getLogger(CircuitBreaker.class.getName());

  /** Consecutive connection failures that open the breaker. */
  static final int FAILURES_TO_OPEN = 5;
  /** How long an open breaker refuses before it lets one probe through. */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);

  enum State {
    CLOSED(0), OPEN(1), HALF_OPEN(2);

    /** The value of the {@code promgate_registry_circuit_state} gauge. */
    final int gauge;

    State(int gauge) {
      this.gauge = gauge;
    }
  }

  /** What a request may do: go out (as the probe or not), or fail at once. */
  enum Admission { PASS, PROBE, REFUSE }

  private final String registry;
  private State state = State.CLOSED;
  private int failures;
  private Instant openedAt;
  private Instant probeAt;
  private String lastFailure = "";

  CircuitBreaker(String registry) {
    this.registry = registry;
  }

  synchronized Admission admit(Instant now) {
    switch (state) {
      case CLOSED:
        return Admission.PASS;
      case OPEN:
        if (!now.isBefore(probeAt)) {
          state = State.HALF_OPEN;
          return Admission.PROBE;
        }
        return Admission.REFUSE;
      default:
        return Admission.REFUSE;
    }
  }

  /** An HTTP answer arrived (any status). */
  synchronized void succeeded(Instant now) {
    if (state != State.CLOSED) {
      LOG.info("registry " + registry + ": circuit breaker closed, the registry answers again (open since "
          + openedAt + ")");
    }
    state = State.CLOSED;
    failures = 0;
  }

  /** A connection failure: no answer at all. */
  synchronized void failed(Instant now, String why) {
    lastFailure = why;
    failures++;
    if (state == State.HALF_OPEN || (state == State.CLOSED && failures >= FAILURES_TO_OPEN)) {
      if (state == State.CLOSED) {
        openedAt = now;
        LOG.warning("registry " + registry + ": circuit breaker open after " + failures
            + " connection failures in a row (last: " + why + "); requests fail at once, one probe every "
            + PROBE_INTERVAL.toSeconds() + " s");
      }
      state = State.OPEN;
      probeAt = now.plus(PROBE_INTERVAL);
    }
  }

  /** A probe that ended without any outcome (its call was abandoned): let the next request probe. */
  synchronized void probeAbandoned(Instant now) {
    if (state == State.HALF_OPEN) {
      state = State.OPEN;
      probeAt = now;
    }
  }

  synchronized State state() {
    return state;
  }

  /** Why requests fail at once, for the refusal's message. */
  synchronized String refusal(Instant now) {
    return "not contacted: its circuit breaker is open after " + FAILURES_TO_OPEN
        + " connection failures in a row (since " + openedAt + "; last: " + lastFailure + "); the next probe is "
        + (probeAt.isAfter(now) ? "in " + Math.max(1, Duration.between(now, probeAt).toMillis()) + " ms" : "under way");
  }
}
