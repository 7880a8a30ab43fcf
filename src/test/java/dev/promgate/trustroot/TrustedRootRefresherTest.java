package dev.promgate.trustroot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.Authority;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.TrustedRoot;
import dev.promgate.testing.Await;
import dev.promgate.testing.Fixtures;
import dev.promgate.testing.TestTufRepository;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusted roots kept current through TUF, against a TUF repository this test makes (real signed
 * metadata) and serves over loopback: the first refresh verifies and caches the root, which the
 * policy loader then reads offline; a new root on the mirror replaces it; a mirror that is down, or
 * serves tampered or expired metadata, leaves the last verified root in place, and its age grows in
 * the metrics.
 */
class TrustedRootRefresherTest {

  private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");

  @TempDir Path dir;
  private Vertx vertx;
  private TestTufRepository tuf;
  private final MutableClock clock = new MutableClock(START);
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final AtomicInteger newRoots = new AtomicInteger();
  private TrustedRootRefresher refresher;
  private byte[] production;
  private byte[] staging;

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void start() throws IOException {
    production = Files.readAllBytes(Fixtures.path("sigstore-trusted-roots", "production_trusted_root.json"));
    staging = Files.readAllBytes(Fixtures.path("sigstore-trusted-roots", "staging_trusted_root.json"));
    tuf = TestTufRepository.start(production, START.plus(Duration.ofDays(7)));
    vertx = Vertx.vertx();
    refresher = new TrustedRootRefresher(vertx, clock, metrics, newRoots::incrementAndGet);
    Files.createDirectories(dir.resolve("policies"));
    tuf.writeInitialRoot(dir.resolve("policies/tuf-root.json"));
    writePolicies(tuf.host(), true);
  }

  @AfterEach
  void stop() throws Exception {
    refresher.close();
    tuf.close();
    Await.result(vertx.close());
  }

  private void writePolicies(String mirrorHost, boolean insecure) throws IOException {
    writePolicies(mirrorHost, insecure, tuf.mirror().toString());
  }

  private void writePolicies(String mirrorHost, boolean insecure, String mirror) throws IOException {
    Files.writeString(dir.resolve("policies/gate.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: GateConfig
        spec:
          defaultEnvironment: prod
          trustedRootMirrors:
            - {host: "%s", insecure: %s}
        """.formatted(mirrorHost, insecure));
    Files.writeString(dir.resolve("policies/p.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: p}
        spec:
          images: ["registry.acme.example/**"]
          authorities:
            - name: release
              keyless:
                trustedRoot:
                  tuf: {mirror: "%s", root: tuf-root.json, cache: "%s", refreshInterval: 1h}
                identities:
                  - {issuer: "https://token.actions.githubusercontent.com", subjectRegExp: '.*'}
          environments:
            prod: {signatures: [release]}
        """.formatted(mirror, dir.resolve("cache")));
  }

  private PolicySet load() {
    PolicyLoadResult result = PolicyLoader.load(dir.resolve("policies"));
    return assertInstanceOf(PolicyLoadResult.Loaded.class, result, result::toString).policies();
  }

  private static TrustedRoot root(PolicySet set) {
    return ((Authority.Keyless) set.policies().get(0).authorities().get("release")).root();
  }

  private double age() {
    return metrics.get("promgate_trusted_root_age_seconds").tag("mirror", tuf.mirror().toString()).gauge().value();
  }

  private double refreshes(String outcome) {
    return metrics.get("promgate_trusted_root_refreshes_total").tag("mirror", tuf.mirror().toString())
        .tag("outcome", outcome).counter().count();
  }

  @Test
  void theFirstRefreshVerifiesTheRootThatTheLoaderThenReads() {
    PolicySet before = load();
    assertFalse(root(before).available(), "nothing verified yet");
    assertEquals("trusted root from TUF mirror " + tuf.mirror(), root(before).description());

    Await.result(refresher.apply(before));
    assertEquals(1, newRoots.get());
    assertEquals(1.0, refreshes("new"));
    assertEquals(0.0, age());

    TrustedRoot after = root(load());
    assertTrue(after.available());
    assertFalse(after.root().getTLogs().isEmpty());
    assertArrayEquals(production, readCached(after));
  }

  @Test
  void aNewRootOnTheMirrorReplacesTheCachedOne() {
    Await.result(refresher.apply(load()));
    String firstDigest = root(load()).digest();

    tuf.publish(staging);
    clock.advance(Duration.ofMinutes(30));
    Await.result(refresher.refreshAll());
    assertEquals(2, newRoots.get(), "a reload was asked for");
    TrustedRoot after = root(load());
    assertArrayEquals(staging, readCached(after));
    assertFalse(firstDigest.equals(after.digest()), "a new root is a new requirement for the verdict cache");

    Await.result(refresher.refreshAll());
    assertEquals(2, newRoots.get(), "nothing new, no reload");
    assertEquals(1.0, refreshes("unchanged"));
  }

  @Test
  void whileTheMirrorIsDownTheLastVerifiedRootStaysAndAges() {
    Await.result(refresher.apply(load()));
    tuf.down(true);
    clock.advance(Duration.ofHours(5));
    Await.result(refresher.refreshAll());
    assertEquals(1.0, refreshes("failed"));
    assertEquals(Duration.ofHours(5).toSeconds(), age(), 0.001);
    assertArrayEquals(production, readCached(root(load())));

    tuf.down(false);
    Await.result(refresher.refreshAll());
    assertEquals(0.0, age());
  }

  @Test
  void aRestartKeepsTheCachedRootAndItsAge() {
    Await.result(refresher.apply(load()));
    refresher.close();
    tuf.down(true);
    clock.advance(Duration.ofHours(2));
    TrustedRootRefresher restarted = new TrustedRootRefresher(vertx, clock, new SimpleMeterRegistry(), () -> { });
    try {
      Await.result(restarted.apply(load()));
      assertTrue(root(load()).available(), "the cached root serves while the mirror is down");
    } finally {
      restarted.close();
    }
  }

  /**
   * A mirror that stays down: the last verified root is used for its maxAge (a week by default),
   * then not at all until a refresh succeeds — each failed attempt says so once in the log — and a
   * refresh that confirms the same root makes it usable again without a policy reload.
   */
  @Test
  void aRootTheMirrorHasNotConfirmedForLongerThanItsMaxAgeIsNotUsed() {
    // Metadata that stays valid for the whole test, so that only the root's own age matters.
    tuf.expireAt(START.plus(Duration.ofDays(30)));
    tuf.rotateRoot();
    tuf.publish(production);
    withWarnings(warnings -> {
      Await.result(refresher.apply(load()));
      TrustedRoot.Tuf repository = root(load()).tuf().orElseThrow();
      assertEquals(TrustedRoot.Tuf.DEFAULT_MAX_AGE, repository.maxAge());
      assertEquals(Optional.of(START), repository.verifiedAt());

      tuf.down(true);
      clock.advance(Duration.ofDays(6));
      Await.result(refresher.refreshAll());
      assertEquals(Optional.empty(), repository.tooOld(repository.verifiedAt(), clock.instant()));
      assertTrue(warnings.get(0).contains("keeping the root verified 144h0m ago (at " + START + ") until it is 168h"
          + " old (maxAge)"), warnings.toString());

      clock.advance(Duration.ofDays(2));
      Await.result(refresher.refreshAll());
      Await.result(refresher.refreshAll());
      assertEquals(3, warnings.size(), "once per refresh attempt: " + warnings);
      for (String w : warnings.subList(1, 3)) {
        assertTrue(w.contains("could not be refreshed: ") && w.contains("the root verified 192h0m ago (at " + START
            + ") is older than its maxAge of 168h and no longer used: signatures that need it are Unverifiable until"
            + " a refresh succeeds"), w);
      }
      assertEquals(Optional.of("the trusted root from TUF mirror " + tuf.mirror() + " was last refreshed at " + START
          + ", 192h ago, longer than its maxAge of 168h, so it is not used until a refresh succeeds (the log says"
          + " why the mirror could not be refreshed)"), repository.tooOld(repository.verifiedAt(), clock.instant()));

      tuf.down(false);
      Await.result(refresher.refreshAll());
      assertEquals(1, newRoots.get(), "the same root: no reload");
      assertEquals(Optional.empty(), repository.tooOld(repository.verifiedAt(), clock.instant()),
          "confirmed again, usable again");
    });
  }

  /** Warnings of the refresher, collected while {@code body} runs. */
  private static List<String> warningsDuring(Runnable body) {
    List<String> seen = new java.util.ArrayList<>();
    withWarnings(warnings -> {
      body.run();
      seen.addAll(warnings);
    });
    return seen;
  }

  /** Runs {@code body} with the list the refresher's warnings are collected into as they come. */
  private static void withWarnings(java.util.function.Consumer<List<String>> body) {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel() == Level.WARNING) {
          warnings.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger log = Logger.getLogger(TrustedRootRefresher.class.getName());
    log.addHandler(handler);
    try {
      body.accept(warnings);
    } finally {
      log.removeHandler(handler);
    }
  }

  /**
   * A TUF mirror is a host promgate connects to like a registry: one at a link-local or cloud
   * metadata address is not contacted even when spec.trustedRootMirrors lists it.
   */
  @Test
  void aMirrorAtAMetadataAddressIsNotContactedEvenWhenListed() throws IOException {
    for (String host : List.of("169.254.169.254", "[fd00:ec2::254]")) {
      writePolicies(host, true, "http://" + host + "/");
      List<String> warnings = warningsDuring(() -> Await.result(refresher.apply(load())));
      String bare = host.replace("[", "").replace("]", "");
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("the TUF mirror host " + bare + " resolves to "), warnings.get(0));
      assertTrue(warnings.get(0).contains("promgate never connects there, whatever spec.trustedRootMirrors lists"),
          warnings.get(0));
      assertEquals(1.0, metrics.get("promgate_trusted_root_refreshes_total").tag("mirror", "http://" + host + "/")
          .tag("outcome", "failed").counter().count());
      assertFalse(root(load()).available());
    }
  }

  /** A mirror's redirect is not followed: it could lead anywhere, the metadata address included. */
  @Test
  void aRedirectFromTheMirrorIsNotFollowed() throws IOException {
    com.sun.net.httpserver.HttpServer redirecting = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger asked = new AtomicInteger();
    redirecting.createContext("/", exchange -> {
      asked.incrementAndGet();
      exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    redirecting.start();
    try {
      String host = "127.0.0.1:" + redirecting.getAddress().getPort();
      writePolicies(host, true, "http://" + host + "/");
      List<String> warnings = warningsDuring(() -> Await.result(refresher.apply(load())));
      assertEquals(1, asked.get(), "one request, and no second one wherever the redirect leads");
      assertTrue(warnings.get(0).contains("the mirror answered 302 (a redirect to http://169.254.169.254/latest/meta-data/)"
          + " for http://" + host + "/2.root.json; promgate does not follow a mirror's redirects"), warnings.get(0));
    } finally {
      redirecting.stop(0);
    }
  }

  @Test
  void maxAgeIsReadAndMustOutlastTheRefreshInterval() throws IOException {
    Path policy = dir.resolve("policies/p.yaml");
    String refreshEveryHour = Files.readString(policy);
    Files.writeString(policy, refreshEveryHour.replace("refreshInterval: 1h}", "refreshInterval: 1h, maxAge: 72h}"));
    assertEquals(Duration.ofHours(72), root(load()).tuf().orElseThrow().maxAge());

    Files.writeString(policy, refreshEveryHour.replace("refreshInterval: 1h}", "refreshInterval: 1h, maxAge: 30m}"));
    PolicyLoadResult.Failed failed = assertInstanceOf(PolicyLoadResult.Failed.class,
        PolicyLoader.load(dir.resolve("policies")));
    assertTrue(failed.problems().get(0).toString().contains("maxAge (30m) must be longer than refreshInterval (1h):"
        + " the root would go out of use between two refreshes that succeed"), failed.problems().toString());
  }

  @Test
  void tamperedMetadataIsRefused() {
    Await.result(refresher.apply(load()));
    tuf.publish(staging);
    // the target no longer has the length and hash the signed targets metadata names
    String target = new String(tuf.file(tuf.targetsFile()), StandardCharsets.UTF_8);
    String sha = target.replaceAll("(?s).*\"sha256\" : \"([0-9a-f]{64})\".*", "$1");
    tuf.replace("targets/" + sha + ".trusted_root.json", production);
    Await.result(refresher.refreshAll());
    assertEquals(1.0, refreshes("failed"));
    assertArrayEquals(production, readCached(root(load())), "the last verified root stays");

    tuf.signTimestampWithAStrangeKey();
    Await.result(refresher.refreshAll());
    assertEquals(2.0, refreshes("failed"));
    assertEquals(1, newRoots.get());
  }

  @Test
  void expiredMetadataIsRefused() {
    Await.result(refresher.apply(load()));
    tuf.expireAt(START.plus(Duration.ofDays(1)));
    tuf.publish(staging);
    clock.advance(Duration.ofDays(2));
    Await.result(refresher.refreshAll());
    assertEquals(1.0, refreshes("failed"));
    assertArrayEquals(production, readCached(root(load())));
  }

  @Test
  void aRotatedRootKeyIsFollowed() {
    Await.result(refresher.apply(load()));
    tuf.rotateRoot();
    tuf.publish(staging);
    Await.result(refresher.refreshAll());
    assertArrayEquals(staging, readCached(root(load())));
    // the new root is trusted from now on: signing more with the new root key keeps working
    tuf.rotateRoot();
    tuf.publish(production);
    Await.result(refresher.refreshAll());
    assertArrayEquals(production, readCached(root(load())));
  }

  @Test
  void aMirrorTheGateConfigDoesNotAllowIsNeitherLoadedNorContacted() throws IOException {
    writePolicies("127.0.0.2:1", true);
    PolicyLoadResult result = PolicyLoader.load(dir.resolve("policies"));
    PolicyLoadResult.Failed failed = assertInstanceOf(PolicyLoadResult.Failed.class, result);
    assertTrue(failed.problems().get(0).toString().contains("TUF mirror host " + tuf.host() + " is not allowed:"
        + " promgate connects only to hosts the GateConfig allows; add {host: " + tuf.host()
        + "} to its spec.trustedRootMirrors"), failed.problems().toString());

    writePolicies(tuf.host(), false);
    failed = assertInstanceOf(PolicyLoadResult.Failed.class, PolicyLoader.load(dir.resolve("policies")));
    assertTrue(failed.problems().get(0).toString().contains("is plain HTTP; its spec.trustedRootMirrors entry must say"
        + " insecure: true"), failed.problems().toString());

    // a set whose GateConfig does not list the mirror (as right after an edit): not contacted
    writePolicies(tuf.host(), true);
    PolicySet allowed = load();
    GateConfig g = allowed.gate();
    PolicySet withoutMirror = new PolicySet(allowed.generation(), allowed.loadedAt(), new GateConfig(g.mode(),
        g.defaultEnvironment(), g.namespaces(), g.exemptNamespaces(), g.registries(), g.cache(), g.credentials(),
        g.timeouts(), g.breakGlass(), g.limits()), allowed.policies());
    int before = tuf.requests();
    Await.result(refresher.apply(withoutMirror));
    assertEquals(before, tuf.requests());
  }

  /**
   * A mirror (or someone between it and promgate) that serves an older, still validly signed
   * timestamp, to bring back a trusted root that has since been replaced: TUF's rollback
   * protection refuses it, and the newer root stays.
   */
  @Test
  void anOlderTimestampDoesNotRollTheRootBack() {
    Await.result(refresher.apply(load()));
    byte[] olderTimestamp = tuf.file("timestamp.json");
    tuf.publish(staging);
    Await.result(refresher.refreshAll());
    assertArrayEquals(staging, readCached(root(load())));

    tuf.replace("timestamp.json", olderTimestamp);
    Await.result(refresher.refreshAll());
    assertEquals(1.0, refreshes("failed"));
    assertArrayEquals(staging, readCached(root(load())), "the newer root stays");
  }

  /**
   * The cache lies in a shared directory by default (/tmp): another local user who creates the
   * repository's cache directory first, and plants a trusted root of their own in it, must not have
   * it read as verified, nor be written into.
   */
  @Test
  void aCacheDirectoryOthersCanWriteIsNotTrusted() throws IOException {
    Path cache = root(load()).tuf().orElseThrow().cache();
    Files.createDirectories(cache);
    Files.write(cache.resolve("trusted_root.json"), staging);
    Files.setPosixFilePermissions(cache, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));

    PolicyLoadResult.Failed failed = assertInstanceOf(PolicyLoadResult.Failed.class,
        PolicyLoader.load(dir.resolve("policies")));
    assertTrue(failed.problems().get(0).toString().contains("the TUF cache directory " + cache
        + " can be written by any user (mode 777; chmod o-w it): a trusted root there could have been written"
        + " by someone else"), failed.problems().toString());

    Files.setPosixFilePermissions(cache, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    PolicySet set = load();
    Files.setPosixFilePermissions(cache, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    Await.result(refresher.apply(set));
    assertEquals(1.0, refreshes("failed"), "nothing is written where others can write");
    assertArrayEquals(staging, Files.readAllBytes(cache.resolve("trusted_root.json")));
  }

  /** Where the tests run as root (as CI does), a directory owned by another user can be made. */
  @Test
  void aCacheDirectoryOfAnotherUserIsNotTrusted() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "needs root to chown");
    Path cache = root(load()).tuf().orElseThrow().cache();
    Files.createDirectories(cache);
    Files.write(cache.resolve("trusted_root.json"), staging);
    Files.setAttribute(cache, "unix:uid", 4242);
    PolicyLoadResult.Failed failed = assertInstanceOf(PolicyLoadResult.Failed.class,
        PolicyLoader.load(dir.resolve("policies")));
    assertTrue(failed.problems().get(0).toString().contains("the TUF cache directory " + cache
        + " belongs to user 4242, not to the user promgate runs as (0)"), failed.problems().toString());
  }

  @Test
  void theCacheDirectoryPromgateMakesIsItsAlone() throws IOException {
    Await.result(refresher.apply(load()));
    Path cache = root(load()).tuf().orElseThrow().cache();
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
    // as Kubernetes leaves it for the pod's fsGroup: group-writable, still promgate's
    Files.setPosixFilePermissions(cache, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwx---"));
    assertTrue(root(load()).available());
  }

  private static byte[] readCached(TrustedRoot root) {
    try {
      return Files.readAllBytes(root.file());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
