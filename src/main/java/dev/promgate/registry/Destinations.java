package dev.promgate.registry;

import dev.promgate.policy.GateConfig;
import dev.promgate.policy.HostPattern;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where promgate may connect on a registry's behalf, decided before every connection. A registry
 * cannot steer the webhook elsewhere:
 * <ul>
 *   <li>the registry's own authority is always allowed;
 *   <li>a token realm must be on a host of the entry's {@code tokenHosts};
 *   <li>a redirect, a paging link or an upload location must be on a host of its {@code redirectHosts};
 *   <li>whatever the lists say, a name that resolves to a link-local, metadata, unspecified or
 *       multicast address is refused, and the connection goes to the address that was checked (no
 *       second lookup that DNS rebinding could answer differently).
 * </ul>
 * A refusal is {@link RegistryException.Kind#NOT_ALLOWED}: the decision is Unverifiable, and the
 * message names the host and the setting that would allow it.
 */
final class Destinations {

  /** What a URL is for: which list may allow a host other than the registry's own. */
  enum Purpose {
    TOKEN("tokenHosts", "its token realm"),
    REDIRECT("redirectHosts", "a redirect or link");

    final String setting;
    final String what;

    Purpose(String setting, String what) {
      this.setting = setting;
      this.what = what;
    }
  }

  /** Resolves host names; the system resolver by default, a fixed table in tests. */
  @FunctionalInterface
  interface Resolver {
    Future<List<InetAddress>> resolve(String host);

    /**
     * The JVM's resolver, on a worker thread (lookups block), its answers kept for
     * {@link #ANSWERS_KEPT} as the JVM keeps them: a request to a registry named by host then
     * costs no thread hop.
     */
    static Resolver system(Vertx vertx) {
      return kept(host -> vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false),
          ANSWERS_KEPT, System::nanoTime);
    }

    /** How long an answer is kept: the JVM's own positive cache time (networkaddress.cache.ttl). */
    Duration ANSWERS_KEPT = Duration.ofSeconds(30);
    /** Host names kept at most (the allow-list and its redirect and token hosts); past this, start over. */
    int MAX_HOSTS = 256;

    /**
     * {@code lookup}'s answers kept for {@code keep} ({@code nanos} tells the time); failures are
     * not kept. A kept answer is handed out as a plain value, on the caller's own context.
     */
    static Resolver kept(Resolver lookup, Duration keep, java.util.function.LongSupplier nanos) {
      record Answer(List<InetAddress> addresses, long until) {}
      Map<String, Answer> answers = new ConcurrentHashMap<>();
      return host -> {
        Answer known = answers.get(host);
        if (known != null && nanos.getAsLong() - known.until() < 0) {
          return Future.succeededFuture(known.addresses());
        }
        return lookup.resolve(host).onSuccess(addresses -> {
          if (answers.size() >= MAX_HOSTS) {
            answers.clear();
          }
          answers.put(host, new Answer(List.copyOf(addresses), nanos.getAsLong() + keep.toNanos()));
        });
      };
    }
  }

  /** A checked destination: connect to {@code address}, present {@code host} (Host header, SNI, certificate check). */
  record Target(boolean https, String host, int port, String pathAndQuery, SocketAddress address) {}

  private final Resolver resolver;

  Destinations(Resolver resolver) {
    this.resolver = resolver;
  }

  /** The allow-list problem with this URL for this purpose, or empty; no network. */
  static Optional<String> notAllowed(RegistryHost registry, String url, Purpose purpose) {
    return notAllowed(registry.settings(), registry.origin(), url, purpose);
  }

  /** The same, for a registry entry whose API is at {@code registryOrigin}. */
  static Optional<String> notAllowed(GateConfig.RegistrySettings registry, String registryOrigin, String url,
                                     Purpose purpose) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Optional.of("\"" + Endpoint.abbreviate(url) + "\" is not a valid URL");
    }
    String host = uri.getHost();
    if (host == null) {
      return Optional.of("\"" + Endpoint.abbreviate(url) + "\" names no host");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    int defaultPort = scheme.equals("https") ? 443 : 80;
    int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
    if (Urls.origin(url).equals(Urls.origin(registryOrigin))) {
      return Optional.empty();
    }
    List<HostPattern> allowed = purpose == Purpose.TOKEN
        ? registry.allowedTokenHosts() : registry.allowedRedirectHosts();
    String bare = host.startsWith("[") ? host : host.toLowerCase(Locale.ROOT);
    for (HostPattern p : allowed) {
      if (p.matches(bare, port, defaultPort)) {
        return Optional.empty();
      }
    }
    String shown = uri.getPort() < 0 ? bare : bare + ":" + port;
    return Optional.of(purpose.what + " leads to " + shown + ", which is not allowed for this registry ("
        + purpose.setting + ": " + (allowed.isEmpty() ? "none" : allowed) + "); promgate did not connect; fix: if "
        + shown + " belongs to the registry, add it to " + purpose.setting + " of " + registry.host()
        + " in GateConfig spec.registries");
  }

  /**
   * Checks a URL (allow-list, then the addresses its host resolves to) and says where to connect.
   * Fails with NOT_ALLOWED, or UNREACHABLE when the name does not resolve.
   */
  Future<Target> check(RegistryHost registry, Endpoint<?> endpoint, String url, Purpose purpose) {
    Optional<String> problem = notAllowed(registry, url, purpose);
    if (problem.isPresent()) {
      return Future.failedFuture(refusal(registry, endpoint, problem.get()));
    }
    URI uri = URI.create(url);
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() < 0 ? (https ? 443 : 80) : uri.getPort();
    String host = uri.getHost();
    String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    String pathAndQuery = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    Future<List<InetAddress>> addresses = literal(name).map(a -> Future.succeededFuture(List.of(a)))
        .orElseGet(() -> resolver.resolve(name));
    return addresses.recover(e -> Future.failedFuture(e instanceof UnknownHostException
            ? RegistryException.of(RegistryException.Kind.UNREACHABLE, registry.registry(), endpoint.description(),
                "the host name " + name + " does not resolve (" + e.getMessage() + ")", "check the host name and DNS")
            : e))
        .compose(found -> {
          if (found.isEmpty()) {
            return Future.failedFuture(RegistryException.of(RegistryException.Kind.UNREACHABLE, registry.registry(),
                endpoint.description(), "the host name " + name + " resolves to no address", "check DNS"));
          }
          for (InetAddress a : found) {
            String why = forbidden(a);
            if (why != null) {
              return Future.failedFuture(refusal(registry, endpoint, name + " resolves to " + a.getHostAddress()
                  + ", " + why + "; promgate never connects there, whatever the GateConfig lists"));
            }
          }
          return Future.succeededFuture(new Target(https, name, port, pathAndQuery,
              SocketAddress.inetSocketAddress(port, found.get(0).getHostAddress())));
        });
  }

  private static RegistryException refusal(RegistryHost registry, Endpoint<?> endpoint, String problem) {
    return RegistryException.of(RegistryException.Kind.NOT_ALLOWED, registry.registry(), endpoint.description(),
        problem, "");
  }

  /** An IP literal, parsed without any lookup; empty for a host name. */
  static Optional<InetAddress> literal(String host) {
    boolean ipv4 = host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')) && host.indexOf('.') > 0;
    boolean ipv6 = host.indexOf(':') >= 0 && host.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
    if (!ipv4 && !ipv6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Why promgate must not connect to this address, or null. */
  static String forbidden(InetAddress a) {
    return ForbiddenAddresses.why(a).orElse(null);
  }
}
