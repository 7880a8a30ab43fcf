package dev.promgate.registry;

import dev.promgate.registry.Authenticator.Authorization;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.StreamResetException;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Executes one endpoint against one registry: everything every endpoint needs.
 *
 * <p>Per attempt: authorize (cached token, Basic, or anonymous first), wait for a slot of the
 * registry's limiter, check the destination ({@link Destinations}: the registry itself, its
 * {@code tokenHosts} for a token realm, its {@code redirectHosts} for anything else, never a
 * link-local or metadata address) and connect to the address that was checked, send, follow
 * redirects of GET/HEAD ourselves (at most {@value #MAX_REDIRECTS}, never from HTTPS down to
 * HTTP, each target checked like the first, and without the {@code Authorization} header once the
 * URL leaves the origin it was meant for), read the body through a {@link BoundedBody}, and record
 * a metric sample per exchange.
 *
 * <p>Across attempts: a 401 is answered once by authenticating as the challenge asks; 429, 500,
 * 502, 503, 504 and refused or reset connections are retried per the {@link RetryPolicy},
 * waiting the longer of the jittered backoff and {@code Retry-After}; no attempt starts, and no
 * wait is begun, that would end past the call's deadline — the last failure is reported instead.
 * Every other answer goes to the endpoint.
 *
 * <p>Each exchange is bounded by the shorter of the request timeout and the time left before the
 * deadline; a timer aborts it (a slow drip is not idle, so an idle timeout alone would not).
 */
final class Transport {

  static final int MAX_REDIRECTS = 5;
  /** Answers larger than this are checked (hashed, parsed) on a worker thread. */
  static final int OFFLOAD_BYTES = 256 * 1024;
  /** A retry is only worth starting with at least this much time left after the wait. */
  private static final Duration MIN_ATTEMPT_TIME = Duration.ofMillis(100);

  private final Vertx vertx;
  private final Duration requestTimeout;
  private final RetryPolicy retry;
  private final RegistryMetrics metrics;
  private final Authenticator auth;
  private final Destinations destinations;

  Transport(Vertx vertx, Duration requestTimeout, RetryPolicy retry, RegistryMetrics metrics, Authenticator auth,
            Destinations destinations) {
    this.vertx = vertx;
    this.requestTimeout = requestTimeout;
    this.retry = retry;
    this.metrics = metrics;
    this.auth = auth;
    this.destinations = destinations;
  }

  <T> Future<T> execute(RegistryHost host, Endpoint<T> endpoint, Call call) {
    return attempt(host, endpoint, call, 1, false);
  }

  private <T> Future<T> attempt(RegistryHost host, Endpoint<T> endpoint, Call call, int n, boolean reauthenticated) {
    Future<Authorization> authorization = endpoint.scope() == null
        ? Future.succeededFuture(Authorization.none(null))
        : auth.authorize(host, endpoint.scope(), call, token -> execute(host, token, call));
    return authorization.compose(a -> exchange(host, endpoint, a, call)
        .transform(ar -> afterExchange(host, endpoint, call, n, reauthenticated, a, ar)));
  }

  private <T> Future<T> afterExchange(RegistryHost host, Endpoint<T> endpoint, Call call, int n,
                                      boolean reauthenticated, Authorization used, AsyncResult<Response> ar) {
    if (ar.failed()) {
      RegistryException e = asRegistryException(host, endpoint, ar.cause());
      if (e.retryable() && n < retry.maxAttempts() && call.abandonedBecause() == null) {
        Duration wait = retry.backoff(n, ThreadLocalRandom.current().nextDouble());
        if (fits(wait, call)) {
          return sleep(wait).compose(v -> attempt(host, endpoint, call, n + 1, reauthenticated));
        }
      }
      return Future.failedFuture(e);
    }
    Response r = ar.result();
    if (endpoint.scope() != null && r.status() == 401) {
      if (reauthenticated) {
        return Future.failedFuture(auth.refused(host, endpoint, r, used, ""));
      }
      return auth.challenged(host, endpoint, r, used)
          .compose(v -> attempt(host, endpoint, call, n, true));
    }
    if (endpoint.scope() != null && r.status() == 403) {
      return Future.failedFuture(auth.refused(host, endpoint, r, used, ""));
    }
    if (isRetryable(r.status())) {
      Optional<Duration> asked = RetryAfter.parse(r.header("Retry-After"), call.now());
      if (n >= retry.maxAttempts()) {
        return Future.failedFuture(endpoint.unexpected(host, r,
            (retry.maxAttempts() > 1 ? " after " + n + " attempts" : "")
                + asked.map(a -> "; it asks to retry in " + a.toSeconds() + " s").orElse("")));
      }
      Duration wait = retry.backoff(n, ThreadLocalRandom.current().nextDouble());
      if (asked.isPresent() && asked.get().compareTo(wait) > 0) {
        wait = asked.get();
      }
      if (!fits(wait, call)) {
        return Future.failedFuture(endpoint.unexpected(host, r, asked.isPresent()
            ? "; it asks to retry in " + asked.get().toSeconds() + " s, past this admission request's deadline"
            : "; a retry would end past this admission request's deadline"));
      }
      return sleep(wait).compose(v -> attempt(host, endpoint, call, n + 1, reauthenticated));
    }
    if (r.body().length > OFFLOAD_BYTES) {
      // Hashing and parsing megabytes would hold the event loop; a worker does it.
      return call.onContext(vertx.executeBlocking(() -> handle(host, endpoint, r), false));
    }
    try {
      return Future.succeededFuture(handle(host, endpoint, r));
    } catch (RegistryException e) {
      return Future.failedFuture(e);
    }
  }

  /** The endpoint's reading of an answer; anything it did not foresee is a PROTOCOL failure, not a crash. */
  private static <T> T handle(RegistryHost host, Endpoint<T> endpoint, Response r) {
    try {
      return endpoint.handle(r, host);
    } catch (RegistryException e) {
      throw e;
    } catch (RuntimeException e) {
      throw endpoint.failure(host, RegistryException.Kind.PROTOCOL,
          "the answer (" + r.status() + ") could not be read: " + e, "");
    }
  }

  private static boolean isRetryable(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  }

  private static boolean fits(Duration wait, Call call) {
    return call.remaining().compareTo(wait.plus(MIN_ATTEMPT_TIME)) > 0;
  }

  private Future<Void> sleep(Duration wait) {
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(Math.max(1, wait.toMillis()), id -> promise.complete());
    return promise.future();
  }

  /** One exchange, redirects included, holding one slot of the registry's limiter throughout. */
  private Future<Response> exchange(RegistryHost host, Endpoint<?> endpoint, Authorization a, Call call) {
    RegistryException abandoned = call.abandonedBecause();
    if (abandoned != null) {
      return Future.failedFuture(abandoned);
    }
    Duration remaining = call.remaining();
    if (remaining.isNegative() || remaining.isZero()) {
      return Future.failedFuture(budgetExhausted(host, endpoint, "before it could start"));
    }
    String url = endpoint.url(host.origin());
    String authorization = endpoint.authorization() != null ? endpoint.authorization() : a.header();
    String credentialOrigin = Urls.origin(url);
    CircuitBreaker breaker = host.breaker();
    metrics.watch(host.registry(), breaker);
    if (breaker.admit(call.now()) == CircuitBreaker.Admission.REFUSE) {
      metrics.refused(host.registry());
      return Future.failedFuture(RegistryException.of(RegistryException.Kind.UNREACHABLE, host.registry(),
          endpoint.description(), breaker.refusal(call.now()),
          "check the registry's health and the network path; promgate probes it again by itself"));
    }
    if (endpoint.scope() == null) {
      // A token service is another host; the registry's limiter does not apply.
      return hop(host, endpoint, endpoint.method(), url, authorization, credentialOrigin, 0, call);
    }
    return host.limiter()
        .acquire(call, remaining, () -> budgetExhausted(host, endpoint,
            "while waiting for one of the registry's request slots (all busy)"))
        .compose(permit -> hop(host, endpoint, endpoint.method(), url, authorization, credentialOrigin, 0, call)
            .andThen(ar -> permit.release()));
  }

  private Future<Response> hop(RegistryHost host, Endpoint<?> endpoint, HttpMethod method, String url,
                               String authorization, String credentialOrigin, int redirects, Call call) {
    Duration remaining = call.remaining();
    if (remaining.isNegative() || remaining.isZero()) {
      return Future.failedFuture(budgetExhausted(host, endpoint, "before it could start"));
    }
    Destinations.Purpose purpose = endpoint.scope() == null ? Destinations.Purpose.TOKEN : Destinations.Purpose.REDIRECT;
    return destinations.check(host, endpoint, url, purpose)
        .compose(target -> send(host, endpoint, method, url, target, authorization, credentialOrigin, redirects, call));
  }

  private Future<Response> send(RegistryHost host, Endpoint<?> endpoint, HttpMethod method, String url,
                                Destinations.Target target, String authorization, String credentialOrigin,
                                int redirects, Call call) {
    Duration remaining = call.remaining();
    if (remaining.isNegative() || remaining.isZero()) {
      return Future.failedFuture(budgetExhausted(host, endpoint, "before it could start"));
    }
    boolean budgetBound = remaining.compareTo(requestTimeout) < 0;
    long timeoutMs = Math.max(1, (budgetBound ? remaining : requestTimeout).toMillis());
    HttpRequest<Buffer> request;
    try {
      // To the address that was checked, presenting the host name (Host header, SNI, certificate).
      request = host.web().request(method, target.address(), target.port(), target.host(), target.pathAndQuery())
          .ssl(target.https());
    } catch (RuntimeException e) {
      return Future.failedFuture(endpoint.failure(host, RegistryException.Kind.PROTOCOL,
          "cannot request \"" + Endpoint.abbreviate(url) + "\": " + e.getMessage(), ""));
    }
    call.countRoundTrip();
    // Vert.x's own idle timeout is only a safety net: the timer below ends the exchange first, with a precise message.
    request.followRedirects(false).timeout(timeoutMs + 1000);
    if (!endpoint.accept().isEmpty()) {
      request.putHeader("Accept", String.join(", ", endpoint.accept()));
    }
    if (authorization != null && credentialOrigin != null && credentialOrigin.equals(Urls.origin(url))) {
      request.putHeader("Authorization", authorization);
    }
    byte[] payload = redirects == 0 ? endpoint.body() : null;
    if (payload != null && endpoint.contentType() != null) {
      request.putHeader("Content-Type", endpoint.contentType());
    }
    BoundedBody body = new BoundedBody(endpoint.maxBytes());
    Promise<Response> promise = Promise.promise();
    long started = System.nanoTime();
    long timer = vertx.setTimer(timeoutMs, id -> {
      if (promise.tryFail(budgetBound
          ? budgetExhausted(host, endpoint, "while waiting for the answer")
          : endpoint.failure(host, RegistryException.Kind.TIMEOUT,
              "no complete answer within the request timeout of " + human(requestTimeout),
              "the registry is slow or hangs; check its health and the network path"))) {
        body.abort();
      }
    });
    HttpRequest<Buffer> bounded = request.as(body);
    Future<HttpResponse<Buffer>> sent = payload == null ? bounded.send() : bounded.sendBuffer(Buffer.buffer(payload));
    sent.onComplete(ar -> {
      vertx.cancelTimer(timer);
      switch (body.cut()) {
        case TOO_LARGE -> promise.tryFail(endpoint.tooLarge(host));
        case TRUNCATED -> promise.tryComplete(new Response(body.status(), body.headers(), body.bytes(), url));
        case ABORTED -> promise.tryFail(budgetExhausted(host, endpoint, "while waiting for the answer"));
        case NONE -> {
          if (ar.succeeded()) {
            promise.tryComplete(new Response(ar.result().statusCode(), ar.result().headers(), body.bytes(), url));
          } else {
            promise.tryFail(transportFailure(host, endpoint, ar.cause()));
          }
        }
      }
    });
    return promise.future()
        .andThen(ar -> {
          if (Urls.origin(url).equals(Urls.origin(host.origin()))) {
            recordForBreaker(host, endpoint, ar, budgetBound, call);
          }
        })
        .andThen(ar -> metrics.record(host.registry(), endpoint.name(),
            ar.succeeded() ? RegistryMetrics.outcome(ar.result().status())
                : RegistryMetrics.outcome(asRegistryException(host, endpoint, ar.cause()).kind()),
            System.nanoTime() - started))
        .compose(r -> r.isRedirect() && endpoint.followsRedirects()
            ? redirect(host, endpoint, method, r, authorization, credentialOrigin, redirects, call)
            : Future.succeededFuture(r));
  }

  /** Any answer proves the registry reachable; only a failure to get one counts against it. */
  private static void recordForBreaker(RegistryHost host, Endpoint<?> endpoint, AsyncResult<Response> ar,
                                       boolean budgetBound, Call call) {
    CircuitBreaker breaker = host.breaker();
    if (ar.succeeded()) {
      breaker.succeeded(call.now());
      return;
    }
    RegistryException e = asRegistryException(host, endpoint, ar.cause());
    if (e.kind() == RegistryException.Kind.UNREACHABLE || (e.kind() == RegistryException.Kind.TIMEOUT && !budgetBound)) {
      breaker.failed(call.now(), e.getMessage());
    } else if (e.kind() == RegistryException.Kind.TIMEOUT) {
      // The admission's budget ran out first: says nothing about the registry.
      breaker.probeAbandoned(call.now());
    } else {
      // An answer that was cut off or refused (too large, lying) still came from a reachable registry.
      breaker.succeeded(call.now());
    }
  }

  private Future<Response> redirect(RegistryHost host, Endpoint<?> endpoint, HttpMethod method, Response r,
                                    String authorization, String credentialOrigin, int redirects, Call call) {
    String location = r.header("Location");
    if (location == null || location.isBlank()) {
      return Future.failedFuture(endpoint.failure(host, RegistryException.Kind.PROTOCOL,
          "answered " + r.status() + " without a Location header", ""));
    }
    if (redirects >= MAX_REDIRECTS) {
      return Future.failedFuture(endpoint.failure(host, RegistryException.Kind.PROTOCOL,
          "more than " + MAX_REDIRECTS + " redirects", "the registry or its storage redirects in a loop"));
    }
    String next;
    try {
      next = new URI(r.url()).resolve(new URI(location.trim())).toString();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Future.failedFuture(endpoint.failure(host, RegistryException.Kind.PROTOCOL,
          "redirects to an invalid URL \"" + Endpoint.abbreviate(location) + "\"", ""));
    }
    String scheme = Urls.scheme(next);
    if (!scheme.equals("https") && !(scheme.equals("http") && host.insecure())) {
      return Future.failedFuture(endpoint.failure(host, RegistryException.Kind.PROTOCOL,
          "redirects to " + Endpoint.abbreviate(next) + ", refused: only HTTPS is followed",
          "a registry that is not an insecure entry must not send clients to plain HTTP"));
    }
    HttpMethod nextMethod = r.status() == 303 && method != HttpMethod.HEAD ? HttpMethod.GET : method;
    return hop(host, endpoint, nextMethod, next, authorization, credentialOrigin, redirects + 1, call);
  }

  private RegistryException budgetExhausted(RegistryHost host, Endpoint<?> endpoint, String when) {
    return endpoint.failure(host, RegistryException.Kind.TIMEOUT,
        "the admission request's time budget ran out " + when,
        "the registry is slow or unreachable; check its health and the network path");
  }

  static RegistryException asRegistryException(RegistryHost host, Endpoint<?> endpoint, Throwable t) {
    return t instanceof RegistryException re ? re : transportFailure(host, endpoint, t);
  }

  /** Maps what Vert.x and the JDK throw to a kind, a message and whether retrying can help. */
  static RegistryException transportFailure(RegistryHost host, Endpoint<?> endpoint, Throwable t) {
    if (t instanceof RegistryException re) {
      return re;
    }
    List<Throwable> chain = new ArrayList<>();
    for (Throwable c = t; c != null && !chain.contains(c) && chain.size() < 20; c = c.getCause()) {
      chain.add(c);
    }
    String registry = host.registry();
    String what = endpoint.description();
    Optional<Throwable> found;
    if ((found = deepest(chain, UnknownHostException.class)).isPresent()) {
      return RegistryException.of(RegistryException.Kind.UNREACHABLE, registry, what,
          "the host name does not resolve (" + found.get().getMessage() + ")",
          "check the registry's host name and DNS");
    }
    if (deepest(chain, NotSslRecordException.class).isPresent()) {
      return RegistryException.of(RegistryException.Kind.UNREACHABLE, registry, what,
          "TLS failed: the registry did not answer with TLS",
          "the registry speaks plain HTTP; mark its allow-list entry insecure: true if that is intended");
    }
    if ((found = deepest(chain, SSLException.class)).isPresent()) {
      return RegistryException.of(RegistryException.Kind.UNREACHABLE, registry, what,
          "TLS failed: " + found.get().getMessage(),
          "if the registry uses a private CA, set caFile in its allow-list entry");
    }
    if ((found = deepest(chain, ConnectTimeoutException.class)).isPresent()) {
      return RegistryException.of(RegistryException.Kind.UNREACHABLE, registry, what,
          "no connection could be opened in time (" + found.get().getMessage() + ")",
          "check the host, port, firewalls and network policies");
    }
    if ((found = deepest(chain, TimeoutException.class)).isPresent()) {
      return RegistryException.of(RegistryException.Kind.TIMEOUT, registry, what,
          "no answer in time (" + found.get().getMessage() + ")", "the registry is slow or hangs; check its health");
    }
    if ((found = deepest(chain, ConnectException.class)).isPresent()) {
      return RegistryException.of(RegistryException.Kind.UNREACHABLE, registry, what,
          "connection refused (" + found.get().getMessage() + ")",
          "check that the registry runs at this host and port, and the network policies").markRetryable();
    }
    Optional<Throwable> dropped = deepest(chain, HttpClosedException.class)
        .or(() -> deepest(chain, StreamResetException.class))
        .or(() -> deepest(chain, IOException.class))
        .or(() -> chain.stream().filter(c -> c instanceof VertxException
            && String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT).contains("closed")).findFirst());
    if (dropped.isPresent()) {
      return RegistryException.of(RegistryException.Kind.UNREACHABLE, registry, what,
          "the connection was closed or reset (" + dropped.get().getMessage() + ")",
          "the registry or a proxy dropped the connection; check their health").markRetryable();
    }
    return RegistryException.of(RegistryException.Kind.UNREACHABLE, registry, what,
        "the request failed (" + t + ")", "check the registry's address and the network path");
  }

  private static Optional<Throwable> deepest(List<Throwable> chain, Class<? extends Throwable> type) {
    Throwable match = null;
    for (Throwable c : chain) {
      if (type.isInstance(c)) {
        match = c;
      }
    }
    return Optional.ofNullable(match);
  }

  static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
