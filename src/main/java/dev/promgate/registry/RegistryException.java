package dev.promgate.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * Why a registry call failed, precisely enough for a user to act on it. The message names the
 * registry, the endpoint (what was being fetched) and what to do; {@link #kind()} tells the
 * verification step how to turn it into a verdict.
 */
public final class RegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * The kinds of failure. Only two mean that <b>the image fails</b> (a Rejected verdict):
   * {@link #NOT_FOUND} (the image digest does not exist in its repository) and
   * {@link #NOT_ALLOWED} (the image lives on a registry outside the allow-list). Every other kind
   * means <b>promgate could not check</b> (an Unverifiable verdict: never cached as a denial, never
   * reported as "unsigned") — the image may be fine, the registry or promgate's configuration is
   * not. {@link #imageFails()} encodes this split.
   *
   * <p>Note that a missing {@code .sig}/{@code .att} tag or an empty referrers list is not an error
   * at all: {@link RegistryClient#attachments} reports it as empty {@link Attachments}.
   */
  public enum Kind {
    /** 404: the image, digest or tag does not exist (for the image itself: the image fails). */
    NOT_FOUND("not-found", true),
    /**
     * The registry is not in the client's allow-list; refused before any network call. The
     * decision step denies such images before asking the client, so when this reaches a verifier
     * the client has not caught up with a policy reload yet: could not check.
     */
    NOT_ALLOWED("not-allowed", false),
    /** 401/403 even after trying the configured credentials: fix the credentials or grants. */
    UNAUTHORIZED("unauthorized", false),
    /** 429 after the allowed retries, or a {@code Retry-After} beyond the time budget. */
    RATE_LIMITED("rate-limited", false),
    /** 5xx after the allowed retries: the registry is failing. */
    SERVER_ERROR("server-error", false),
    /** Connection refused or reset, DNS failure, TLS failure: the registry could not be reached. */
    UNREACHABLE("unreachable", false),
    /** No answer within the per-request timeout or the admission's total budget. */
    TIMEOUT("timeout", false),
    /** The bytes served do not hash to the digest asked for: the registry (or a proxy) lies. */
    INTEGRITY("integrity", false),
    /** A manifest or blob larger than its cap: cut off without reading it whole. */
    TOO_LARGE("too-large", false),
    /** A malformed or unexpected answer (bad JSON, unsupported schema, redirect loop…). */
    PROTOCOL("protocol", false);

    private final String category;
    private final boolean imageFails;

    Kind(String category, boolean imageFails) {
      this.category = category;
      this.imageFails = imageFails;
    }

    /** A stable token for metrics and {@code Verdict.Unverifiable#category}, e.g. {@code rate-limited}. */
    public String category() {
      return category;
    }

    /**
     * True when the failure is a property of the image (Rejected), false when promgate merely
     * could not check (Unverifiable).
     */
    public boolean imageFails() {
      return imageFails;
    }
  }

  private final Kind kind;
  private final String registry;
  private final String endpoint;
  private final int status;
  private final DistributionErrorCode code;
  /** Set by the transport before the exception is published: a refused or reset connection. */
  private transient boolean retryable;

  RegistryException(Kind kind, String registry, String endpoint, String problem, String advice,
                    int status, DistributionErrorCode code, Throwable cause) {
    super(message(registry, endpoint, problem, advice), cause, false, cause != null);
    this.kind = Objects.requireNonNull(kind);
    this.registry = Objects.requireNonNull(registry);
    this.endpoint = Objects.requireNonNull(endpoint);
    this.status = status;
    this.code = code;
  }

  static RegistryException of(Kind kind, String registry, String endpoint, String problem, String advice) {
    return new RegistryException(kind, registry, endpoint, problem, advice, 0, null, null);
  }

  RegistryException markRetryable() {
    retryable = true;
    return this;
  }

  boolean retryable() {
    return retryable;
  }

  private static String message(String registry, String endpoint, String problem, String advice) {
    StringBuilder s = new StringBuilder(registry).append(": ");
    if (!endpoint.isEmpty()) {
      s.append(endpoint).append(": ");
    }
    s.append(problem);
    if (advice != null && !advice.isEmpty()) {
      s.append("; ").append(advice);
    }
    return s.toString();
  }

  public Kind kind() {
    return kind;
  }

  /** The registry as image references name it, e.g. {@code docker.io}. */
  public String registry() {
    return registry;
  }

  /** What was being done, e.g. {@code manifest shop/web@sha256:ab12…}. */
  public String endpoint() {
    return endpoint;
  }

  /** The HTTP status of the last answer, if there was one. */
  public Optional<Integer> httpStatus() {
    return status == 0 ? Optional.empty() : Optional.of(status);
  }

  /** The distribution error code of the last answer's body, if it had one. */
  public Optional<DistributionErrorCode> errorCode() {
    return Optional.ofNullable(code);
  }
}
