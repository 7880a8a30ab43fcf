package dev.promgate.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Server-wide settings: the {@code GateConfig} document (at most one per policy set). Every field
 * has a default so that a policy set without a GateConfig still works.
 *
 * @param mode               enforce or audit, unless an environment says otherwise
 * @param defaultEnvironment environment for {@code /validate} requests that no namespace rule maps
 * @param namespaces         namespace globs to environments, first match wins
 * @param exemptNamespaces   namespaces admitted without any check (globs)
 * @param registries         the registry allow-list; an image on any other registry is denied
 * @param cache              verdict cache lifetimes and size
 * @param credentials        docker config JSON with registry credentials, if any
 * @param timeouts           budgets that keep a decision inside the webhook's timeoutSeconds
 * @param breakGlass         environments where the break-glass annotation is honoured
 * @param limits             caps on what promgate reads from registries
 * @param trustedRootMirrors the TUF mirrors trusted roots may be refreshed from (host, plain HTTP or
 *                           not, extra CA); promgate connects to no other
 * @param unlabelledNamespaces whether namespaces without the {@code promgate.dev/environment} label
 *                     are gated at all (through {@code /validate}); {@link UnlabelledNamespaces#IGNORE}
 *                     by default, so that installing promgate changes nothing outside the namespaces
 *                     that opt in with the label
 */
public record GateConfig(
    Mode mode,
    Optional<String> defaultEnvironment,
    List<NamespaceRule> namespaces,
    List<Glob> exemptNamespaces,
    List<RegistrySettings> registries,
    CacheSettings cache,
    Optional<Path> credentials,
    Timeouts timeouts,
    Set<String> breakGlass,
    Limits limits,
    List<RegistrySettings> trustedRootMirrors,
    UnlabelledNamespaces unlabelledNamespaces) {

  public GateConfig {
    trustedRootMirrors = List.copyOf(trustedRootMirrors);
  }

  /** Settings without TUF mirrors that leave namespaces without the environment label alone (the default). */
  public GateConfig(Mode mode, Optional<String> defaultEnvironment, List<NamespaceRule> namespaces,
                    List<Glob> exemptNamespaces, List<RegistrySettings> registries, CacheSettings cache,
                    Optional<Path> credentials, Timeouts timeouts, Set<String> breakGlass, Limits limits) {
    this(mode, defaultEnvironment, namespaces, exemptNamespaces, registries, cache, credentials, timeouts,
        breakGlass, limits, List.of(), UnlabelledNamespaces.IGNORE);
  }

  public static GateConfig defaults() {
    return new GateConfig(Mode.ENFORCE, Optional.empty(), List.of(), List.of(), List.of(),
        CacheSettings.defaults(), Optional.empty(), Timeouts.defaults(), Set.of(), Limits.defaults());
  }

  /** The same settings with other limits. */
  public GateConfig withLimits(Limits newLimits) {
    return new GateConfig(mode, defaultEnvironment, namespaces, exemptNamespaces, registries, cache, credentials,
        timeouts, breakGlass, newLimits, trustedRootMirrors, unlabelledNamespaces);
  }

  /** The allowed TUF mirror with this host[:port], if any. */
  public Optional<RegistrySettings> trustedRootMirror(String host) {
    return trustedRootMirrors.stream().filter(m -> m.host().equals(host)).findFirst();
  }

  /** The same settings with another scope for namespaces without the environment label. */
  public GateConfig withUnlabelledNamespaces(UnlabelledNamespaces scope) {
    return new GateConfig(mode, defaultEnvironment, namespaces, exemptNamespaces, registries, cache, credentials,
        timeouts, breakGlass, limits, trustedRootMirrors, scope);
  }

  /**
   * What happens to a namespace without the {@code promgate.dev/environment} label:
   * {@code ignore} — the webhook configuration does not select it, the API server never asks;
   * {@code gate} — it is judged through {@code /validate} (namespace rules, then
   * {@code defaultEnvironment}).
   */
  public enum UnlabelledNamespaces {
    IGNORE,
    GATE;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The registry entry for a host, if the allow-list has it. */
  public Optional<RegistrySettings> registry(String host) {
    for (RegistrySettings r : registries) {
      if (r.host().equals(host)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public boolean isExempt(String namespace) {
    return exemption(namespace).isPresent();
  }

  /** The first {@code exemptNamespaces} entry that matches the namespace, if any. */
  public Optional<Glob> exemption(String namespace) {
    for (Glob g : exemptNamespaces) {
      if (g.matches(namespace)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /** {@code match} is a namespace glob; the first rule that matches names the environment. */
  public record NamespaceRule(Glob match, String environment) {}

  /**
   * One allowed registry.
   *
   * @param host          host[:port] exactly as it appears in normalised image references
   * @param insecure      plain HTTP; only when written explicitly
   * @param caFile        extra CA bundle (PEM) trusted for this registry's TLS, besides the JVM's
   * @param tokenHosts    hosts besides the registry whose token realm promgate may fetch from, as
   *                      listed; empty for the defaults of a well-known registry
   * @param redirectHosts hosts besides the registry that its redirects (and paging links) may send
   *                      promgate to, as listed; empty for the defaults of a well-known registry
   */
  public record RegistrySettings(String host, boolean insecure, Optional<Path> caFile,
                                 Optional<List<HostPattern>> tokenHosts,
                                 Optional<List<HostPattern>> redirectHosts) {

    public RegistrySettings {
      tokenHosts = tokenHosts.map(List::copyOf);
      redirectHosts = redirectHosts.map(List::copyOf);
    }

    /** An entry that lists no token or redirect hosts: the defaults apply. */
    public RegistrySettings(String host, boolean insecure, Optional<Path> caFile) {
      this(host, insecure, caFile, Optional.empty(), Optional.empty());
    }

    /** Where a Bearer challenge's realm may be, besides the registry itself: as listed, else the defaults. */
    public List<HostPattern> allowedTokenHosts() {
      return tokenHosts.orElseGet(() -> WellKnownRegistries.tokenHosts(host));
    }

    /** Where redirects and paging links may lead, besides the registry itself: as listed, else the defaults. */
    public List<HostPattern> allowedRedirectHosts() {
      return redirectHosts.orElseGet(() -> WellKnownRegistries.redirectHosts(host));
    }
  }

  /**
   * Verdict cache settings.
   *
   * @param ttl          how long a verified digest is reused (never past its evidence's expiry)
   * @param negativeTtl  how long a rejection is reused (short, so new promotions take effect)
   * @param staleIfError how long past {@code ttl} a verified digest may serve while registries fail
   * @param maxEntries   the bound on cached verdicts
   */
  public record CacheSettings(Duration ttl, Duration negativeTtl, Duration staleIfError, long maxEntries) {
    public static CacheSettings defaults() {
      return new CacheSettings(Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofHours(1), 100_000);
    }
  }

  /**
   * Time budgets.
   *
   * @param verification total budget for one admission request's verification; stays below
   *                     the webhook's {@code timeoutSeconds} (10 s) so an answer always goes back
   * @param tagHint      budget for resolving a tag for the "pin it as" hint of a tag denial
   * @param request      budget for one registry HTTP request
   */
  public record Timeouts(Duration verification, Duration tagHint, Duration request) {
    public static Timeouts defaults() {
      return new Timeouts(Duration.ofSeconds(8), Duration.ofMillis(1500), Duration.ofSeconds(5));
    }
  }

  /**
   * What promgate reads from a registry for one digest, at most. An oversized or endless answer is
   * cut off at the cap, never buffered whole.
   *
   * @param maxManifestBytes   one manifest or index (the OCI distribution spec suggests 4 MiB)
   * @param maxBlobBytes       one signature, attestation or bundle layer
   * @param maxAttachments     layers of one {@code .sig}/{@code .att} manifest, and referrers, each
   * @param maxAttachmentBytes all layers read for one digest together
   */
  public record Limits(long maxManifestBytes, long maxBlobBytes, int maxAttachments, long maxAttachmentBytes) {
    public static Limits defaults() {
      return new Limits(4L << 20, 16L << 20, 128, 64L << 20);
    }
  }
}
