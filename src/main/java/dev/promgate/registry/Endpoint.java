package dev.promgate.registry;

import dev.promgate.image.ImageReference;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One registry endpoint, as jib-core models them: it knows its method, URL, {@code Accept}
 * header, body, response cap and the access it needs, how to describe itself in an error, and how
 * to turn an answer into a value. The transport does everything common (authentication, retries,
 * redirects, caps, timeouts, metrics); an endpoint sees only answers the transport did not handle
 * (that is, not 401/403, not 429/5xx, not a followed redirect).
 *
 * @param <T> the value the endpoint produces
 */
abstract class Endpoint<T> {

  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  /** The access an endpoint needs: the token scope {@code repository:<name>:pull[,push]}. */
  record Scope(String repository, boolean push) {
    String value() {
      return "repository:" + repository + ":" + (push ? "pull,push" : "pull");
    }
  }

  abstract HttpMethod method();

  /** The absolute URL, built on the registry's origin ({@code https://host[:port]}). */
  abstract String url(String origin);

  List<String> accept() {
    return List.of();
  }

  byte[] body() {
    return null;
  }

  String contentType() {
    return null;
  }

  /** The most bytes a success answer may have; more is cut off. */
  abstract long maxBytes();

  /** The metric label, e.g. {@code manifest}. */
  abstract String name();

  /** What is being done, for error messages, e.g. {@code manifest shop/web@sha256:ab12…}. */
  abstract String description();

  /** The registry access needed, or null for an endpoint outside the registry (a token service). */
  abstract Scope scope();

  /** An Authorization header of the endpoint's own (a token service's), or null. */
  String authorization() {
    return null;
  }

  boolean followsRedirects() {
    return method() == HttpMethod.GET || method() == HttpMethod.HEAD;
  }

  /** Turns an answer into a value, or throws a {@link RegistryException} that says what went wrong. */
  abstract T handle(Response response, RegistryHost host);

  /** The failure for a success answer cut off at {@link #maxBytes()}. */
  RegistryException tooLarge(RegistryHost host) {
    return failure(host, RegistryException.Kind.TOO_LARGE,
        "answer larger than the " + Sizes.human(maxBytes()) + " cap; it was cut off unread",
        "if this content is legitimate, raise GateConfig spec.limits." + capSetting());
  }

  /** The builder setting that controls this endpoint's cap. */
  String capSetting() {
    return "maxManifestBytes";
  }

  /** What to do about a 404. */
  String notFoundAdvice() {
    return "check that it was pushed to this repository";
  }

  final RegistryException failure(RegistryHost host, RegistryException.Kind kind, String problem, String advice) {
    return RegistryException.of(kind, host.registry(), description(), problem, advice);
  }

  /** The failure for an answer this endpoint does not expect, by status and distribution error code. */
  final RegistryException unexpected(RegistryHost host, Response r) {
    return unexpected(host, r, "");
  }

  /** The same, with {@code note} appended to the problem (e.g. {@code " after 3 attempts"}). */
  final RegistryException unexpected(RegistryHost host, Response r, String note) {
    Optional<Wire.ErrorWire> error = Wire.firstError(r.body());
    DistributionErrorCode code = error.map(e -> DistributionErrorCode.fromCode(e.code())).orElse(null);
    String answer = answer(r.status(), error);
    RegistryException.Kind kind;
    String problem;
    String advice;
    switch (r.status()) {
      case 404 -> {
        kind = RegistryException.Kind.NOT_FOUND;
        problem = "not found (" + answer + ")";
        advice = notFoundAdvice();
      }
      case 413 -> {
        kind = RegistryException.Kind.TOO_LARGE;
        problem = "refused as too large (" + answer + ")";
        advice = "the registry limits the size of this content";
      }
      case 429 -> {
        kind = RegistryException.Kind.RATE_LIMITED;
        problem = "rate limited (" + answer + ")";
        advice = "authenticate to raise the limit, or use a mirror";
      }
      case 401, 403 -> {
        kind = RegistryException.Kind.UNAUTHORIZED;
        problem = "access refused (" + answer + ")";
        advice = "check the credentials for " + host.registry();
      }
      default -> {
        if (r.status() >= 500) {
          kind = RegistryException.Kind.SERVER_ERROR;
          problem = "registry error (" + answer + ")";
          advice = "the registry is failing; check its status";
        } else {
          kind = RegistryException.Kind.PROTOCOL;
          problem = "unexpected answer (" + answer + ")";
          advice = "the registry does not behave as the OCI distribution spec says";
        }
      }
    }
    return new RegistryException(kind, host.registry(), description(), problem + note, advice, r.status(), code,
        null);
  }

  static String answer(int status, Optional<Wire.ErrorWire> error) {
    StringBuilder s = new StringBuilder().append(status);
    error.ifPresent(e -> {
      s.append(' ').append(e.code());
      if (e.message() != null && !e.message().isEmpty()) {
        s.append(" \"").append(abbreviate(e.message())).append('"');
      }
    });
    return s.toString();
  }

  /** The {@code rel="next"} target of a {@code Link} header, absolute (pagination). */
  static Optional<String> nextLink(Response r, String origin) {
    String link = r.header("Link");
    if (link == null) {
      return Optional.empty();
    }
    Matcher m = NEXT_LINK.matcher(link);
    if (!m.find()) {
      return Optional.empty();
    }
    String target = m.group(1);
    return Optional.of(target.startsWith("/") ? origin + target : target);
  }

  static String repositoryPath(ImageReference repository) {
    return "/v2/" + repository.repository();
  }

  static String abbreviate(String s) {
    String oneLine = WHITESPACE.matcher(s).replaceAll(" ").strip();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }
}
