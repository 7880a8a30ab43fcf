package dev.promgate.registry;

import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The token service named by a {@code Bearer} challenge's realm: {@code GET realm?service=…&scope=…}
 * with Basic credentials (or none, for anonymous pulls), or the OAuth2 form {@code POST} with a
 * refresh token when the credentials are an {@code identitytoken}.
 */
final class TokenGet extends Endpoint<TokenGet.BearerToken> {

  /** Registries must accept a token for this long when the answer names no {@code expires_in}. */
  static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

  /** A token and the instant it stops being used (a little before it expires). */
  record BearerToken(String value, Instant usableUntil) {
    @Override
    public String toString() {
      return "BearerToken[until " + usableUntil + "]";
    }
  }

  private final String registry;
  private final String realm;
  private final String service;
  private final List<String> scopes;
  private final RegistryCredential credential;
  private final String credentialSource;
  private final Instant requestedAt;

  TokenGet(String registry, String realm, String service, List<String> scopes, RegistryCredential credential,
           String credentialSource, Instant requestedAt) {
    this.registry = registry;
    this.realm = realm;
    this.service = service;
    this.scopes = List.copyOf(scopes);
    this.credential = credential;
    this.credentialSource = credentialSource;
    this.requestedAt = requestedAt;
  }

  @Override
  HttpMethod method() {
    return credential instanceof RegistryCredential.IdentityToken ? HttpMethod.POST : HttpMethod.GET;
  }

  @Override
  String url(String origin) {
    if (method() == HttpMethod.POST) {
      return realm;
    }
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
    boolean first = true;
    if (service != null) {
      url.append("service=").append(Urls.encode(service));
      first = false;
    }
    for (String scope : scopes) {
      url.append(first ? "" : "&").append("scope=").append(Urls.encode(scope));
      first = false;
    }
    if (credential instanceof RegistryCredential.Basic basic) {
      url.append(first ? "" : "&").append("account=").append(Urls.encode(basic.username()));
    }
    return url.toString();
  }

  @Override
  byte[] body() {
    if (!(credential instanceof RegistryCredential.IdentityToken identity)) {
      return null;
    }
    StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=promgate");
    if (service != null) {
      form.append("&service=").append(Urls.encode(service));
    }
    form.append("&scope=").append(Urls.encode(String.join(" ", scopes)));
    form.append("&refresh_token=").append(Urls.encode(identity.token()));
    return form.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  String contentType() {
    return method() == HttpMethod.POST ? "application/x-www-form-urlencoded" : null;
  }

  @Override
  String authorization() {
    return credential instanceof RegistryCredential.Basic basic ? basic.header() : null;
  }

  @Override
  List<String> accept() {
    return List.of("application/json");
  }

  @Override
  long maxBytes() {
    return Sizes.MIB;
  }

  @Override
  String name() {
    return "token";
  }

  @Override
  String description() {
    return "token for " + String.join(" ", scopes) + " from " + realm;
  }

  @Override
  Scope scope() {
    return null;
  }

  @Override
  String notFoundAdvice() {
    return "the registry names a token service that does not exist";
  }

  @Override
  BearerToken handle(Response r, RegistryHost host) {
    if (r.status() == 401 || r.status() == 403) {
      throw credential == null
          ? failure(host, RegistryException.Kind.UNAUTHORIZED,
              "the token service refused anonymous access (" + r.status() + ")",
              "add credentials for " + registry + " to the docker config (" + credentialSource + ")")
          : failure(host, RegistryException.Kind.UNAUTHORIZED,
              "the token service rejected the credentials (" + r.status() + ")",
              "update the credentials of " + credentialSource);
    }
    if (!r.isSuccess()) {
      RegistryException e = unexpected(host, r);
      // The token service failing is never "the image does not exist": a 404 here must not turn
      // into a missing signature or image further up.
      throw e.kind() == RegistryException.Kind.NOT_FOUND
          ? failure(host, RegistryException.Kind.PROTOCOL, e.getMessage(), notFoundAdvice())
          : e;
    }
    Wire.TokenWire wire;
    try {
      wire = Wire.read(r.body(), Wire.TokenWire.class, "the token answer");
    } catch (Wire.MalformedException e) {
      throw failure(host, RegistryException.Kind.PROTOCOL, e.getMessage(),
          "the token service does not answer as the distribution token spec says");
    }
    String token = wire.token() != null && !wire.token().isEmpty() ? wire.token() : wire.accessToken();
    if (token == null || token.isEmpty()) {
      throw failure(host, RegistryException.Kind.PROTOCOL, "the token answer holds no token",
          "the token service does not answer as the distribution token spec says");
    }
    Duration lifetime = wire.expiresIn() == null || wire.expiresIn() <= 0
        ? DEFAULT_LIFETIME : Duration.ofSeconds(wire.expiresIn());
    // Stop using a token a little before it expires, so that it does not expire in flight.
    Duration margin = lifetime.dividedBy(10).compareTo(Duration.ofSeconds(10)) < 0
        ? lifetime.dividedBy(10) : Duration.ofSeconds(10);
    return new BearerToken(token, requestedAt.plus(lifetime).minus(margin));
  }
}
