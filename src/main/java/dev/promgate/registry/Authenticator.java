package dev.promgate.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.promgate.registry.TokenGet.BearerToken;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Authentication as Docker clients do it. A registry is first tried anonymously; its
 * {@code WWW-Authenticate} challenge is remembered, so later calls authenticate up front:
 * <ul>
 *   <li>{@code Basic}: the docker-config user name and password on every request;</li>
 *   <li>{@code Bearer}: a token from the challenge's realm for scope
 *       {@code repository:<name>:pull} (with the docker-config credentials, or anonymously),
 *       cached per registry, scope and credentials until shortly before {@code expires_in} (60 s
 *       when absent), and fetched again when the registry answers 401 to it.</li>
 * </ul>
 * Concurrent calls that need the same token share one token request.
 *
 * <p>Credentials go only to the registry's own origin and to the token realm it names, which
 * must be HTTPS unless the registry itself is an {@code insecure} entry, and on the registry's
 * own host or one of its {@code tokenHosts} ({@link Destinations}); the transport drops the
 * {@code Authorization} header when a redirect leaves that origin.
 *
 * <p>This class does no I/O of its own: the caller passes the means to fetch a token with each
 * call, so the {@link Transport} is built on an Authenticator and not the other way round.
 *
 * <p>Memory: tokens are registry-sized strings and one is kept per repository scope, so the cache
 * is weighed by their length and capped ({@value #MAX_TOKEN_CHARACTERS} characters).
 */
final class Authenticator {

  /** Characters of bearer tokens kept, all registries and scopes together. */
  static final long MAX_TOKEN_CHARACTERS = 8L << 20;

  enum Mode { ANONYMOUS, BASIC, BEARER }

  record TokenKey(String registry, String scope, String credential) {}

  /**
   * How a request was (or will be) authenticated.
   *
   * @param header           the Authorization header value, or null
   * @param tokenKey         the cache key of the bearer token used, or null
   * @param credential       the docker-config credentials for this registry, if any
   * @param credentialSource where they come from (or why there are none), for messages
   */
  record Authorization(Mode mode, String header, TokenKey tokenKey, Optional<RegistryCredential> credential,
                       String credentialSource) {
    static Authorization none(String header) {
      return new Authorization(header == null ? Mode.ANONYMOUS : Mode.BEARER, header, null, Optional.empty(), "");
    }

    @Override
    public String toString() {
      return "Authorization[" + mode + "]";
    }
  }

  private final DockerConfigCredentials credentials;
  private final Clock clock;
  private final Cache<TokenKey, BearerToken> tokens = Caffeine.newBuilder()
      .maximumWeight(MAX_TOKEN_CHARACTERS)
      // Tokens are used only until shortly before they expire; an hour bounds what a registry that
      // names no expiry, or a far one, leaves behind.
      .expireAfterWrite(java.time.Duration.ofHours(1))
      .weigher((TokenKey k, BearerToken t) -> t.value().length() + k.scope().length() + k.credential().length() + 64)
      .build();
  private final ConcurrentMap<TokenKey, Future<BearerToken>> fetching = new ConcurrentHashMap<>();

  Authenticator(DockerConfigCredentials credentials, Clock clock) {
    this.credentials = credentials;
    this.clock = clock;
  }

  /**
   * The Authorization for a request to {@code host} needing {@code scope}, fetching a token with
   * {@code fetch} if needed.
   */
  Future<Authorization> authorize(RegistryHost host, Endpoint.Scope scope, Call call,
                                  Function<TokenGet, Future<BearerToken>> fetch) {
    return credentials.lookup(host.registry(), scope.repository(), call).compose(lookup -> {
      Optional<RegistryCredential> credential = lookup.credential();
      String source = lookup.source();
      if (credential.orElse(null) instanceof RegistryCredential.RegistryToken t) {
        return Future.succeededFuture(new Authorization(Mode.BEARER, "Bearer " + t.token(), null, credential, source));
      }
      Authorization anonymous = new Authorization(Mode.ANONYMOUS, null, null, credential, source);
      Challenge challenge = host.challenge();
      if (challenge == null) {
        return Future.succeededFuture(anonymous);
      }
      if (challenge.isBasic()) {
        return Future.succeededFuture(credential.orElse(null) instanceof RegistryCredential.Basic basic
            ? new Authorization(Mode.BASIC, basic.header(), null, credential, source) : anonymous);
      }
      TokenKey key = new TokenKey(host.registry(), scope.value(),
          credential.map(RegistryCredential::fingerprint).orElse("anonymous"));
      BearerToken cached = tokens.getIfPresent(key);
      if (cached != null && call.now().isBefore(cached.usableUntil())) {
        return Future.succeededFuture(
            new Authorization(Mode.BEARER, "Bearer " + cached.value(), key, credential, source));
      }
      return token(host, challenge, scope, credential, source, key, call, fetch)
          .map(t -> new Authorization(Mode.BEARER, "Bearer " + t.value(), key, credential, source));
    });
  }

  /**
   * Learns from a 401: remembers the challenge and forgets the token that was refused. Succeeds
   * when another attempt can do better; fails with UNAUTHORIZED when it cannot (no usable
   * challenge, no credentials for a Basic registry, the same credentials already refused).
   */
  Future<Void> challenged(RegistryHost host, Endpoint<?> endpoint, Response r, Authorization used) {
    Optional<Challenge> best = Challenge.best(r.headers().getAll("WWW-Authenticate"));
    if (best.isEmpty()) {
      return Future.failedFuture(refused(host, endpoint, r, used,
          "; the answer carries no Basic or Bearer challenge"));
    }
    Challenge challenge = best.get();
    if (used.tokenKey() != null) {
      tokens.invalidate(used.tokenKey());
    }
    if (challenge.isBearer()) {
      Optional<String> problem = realmProblem(host, challenge);
      if (problem.isPresent()) {
        return Future.failedFuture(RegistryException.of(RegistryException.Kind.UNAUTHORIZED, host.registry(),
            endpoint.description(), problem.get(), "promgate does not send credentials there"));
      }
      Optional<String> elsewhere = Destinations.notAllowed(host, challenge.realm().orElseThrow(),
          Destinations.Purpose.TOKEN);
      if (elsewhere.isPresent()) {
        return Future.failedFuture(RegistryException.of(RegistryException.Kind.NOT_ALLOWED, host.registry(),
            endpoint.description(), elsewhere.get(), ""));
      }
      if (used.credential().orElse(null) instanceof RegistryCredential.RegistryToken) {
        return Future.failedFuture(refused(host, endpoint, r, used, ""));
      }
      host.challenge(challenge);
      return Future.succeededFuture();
    }
    host.challenge(challenge);
    if (!(used.credential().orElse(null) instanceof RegistryCredential.Basic) || used.mode() == Mode.BASIC) {
      return Future.failedFuture(refused(host, endpoint, r, used, ""));
    }
    return Future.succeededFuture();
  }

  /** UNAUTHORIZED for a 401/403 that credentials did not (or could not) overcome. */
  RegistryException refused(RegistryHost host, Endpoint<?> endpoint, Response r, Authorization used, String note) {
    Optional<Wire.ErrorWire> error = Wire.firstError(r.body());
    DistributionErrorCode code = error.map(e -> DistributionErrorCode.fromCode(e.code())).orElse(null);
    String answer = Endpoint.answer(r.status(), error);
    Endpoint.Scope scope = endpoint.scope();
    String access = scope == null ? "access" : (scope.push() ? "push to " : "pull ") + scope.repository();
    String problem;
    String advice;
    if (used.credential().isEmpty()) {
      problem = "access refused without credentials (" + answer + ")" + note;
      advice = "give promgate credentials that may " + access + " (" + used.credentialSource() + ")";
    } else {
      problem = "access refused with the credentials of " + used.credentialSource() + " (" + answer + ")" + note;
      advice = "check that they are current and may " + access + " (a repository that does not exist is refused too)";
    }
    return new RegistryException(RegistryException.Kind.UNAUTHORIZED, host.registry(), endpoint.description(),
        problem, advice, r.status(), code, null);
  }

  private static Optional<String> realmProblem(RegistryHost host, Challenge challenge) {
    Optional<String> realm = challenge.realm();
    if (realm.isEmpty() || realm.get().isBlank()) {
      return Optional.of("the Bearer challenge names no token realm");
    }
    String scheme = Urls.scheme(realm.get());
    if (Urls.origin(realm.get()) == null || !(scheme.equals("https") || scheme.equals("http"))) {
      return Optional.of("the token realm \"" + Endpoint.abbreviate(realm.get()) + "\" is not an http(s) URL");
    }
    if (scheme.equals("http") && !host.insecure()) {
      return Optional.of("the token realm " + realm.get()
          + " is plain HTTP while the registry is not an insecure entry");
    }
    return Optional.empty();
  }

  private Future<BearerToken> token(RegistryHost host, Challenge challenge, Endpoint.Scope scope,
                                    Optional<RegistryCredential> credential, String source, TokenKey key, Call call,
                                    Function<TokenGet, Future<BearerToken>> fetch) {
    Promise<BearerToken> mine = Promise.promise();
    Future<BearerToken> shared = fetching.putIfAbsent(key, mine.future());
    if (shared != null) {
      // Joined another call's request; if it failed for its own reasons (its deadline, its
      // abandonment), try once on this call's own budget.
      return call.onContext(shared).recover(e -> e instanceof RegistryException re
          && re.kind() == RegistryException.Kind.UNAUTHORIZED
          ? Future.failedFuture(e) : fetch(challenge, scope, credential, source, key, host, fetch));
    }
    fetch(challenge, scope, credential, source, key, host, fetch).onComplete(ar -> {
      fetching.remove(key, mine.future());
      mine.handle(ar);
    });
    return mine.future();
  }

  private Future<BearerToken> fetch(Challenge challenge, Endpoint.Scope scope, Optional<RegistryCredential> credential,
                                    String source, TokenKey key, RegistryHost host,
                                    Function<TokenGet, Future<BearerToken>> fetch) {
    TokenGet endpoint = new TokenGet(host.registry(), challenge.realm().orElseThrow(),
        challenge.service().orElse(null), List.of(scope.value()), credential.orElse(null), source, clock.instant());
    return fetch.apply(endpoint).onSuccess(t -> tokens.put(key, t));
  }
}
