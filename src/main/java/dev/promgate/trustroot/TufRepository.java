package dev.promgate.trustroot;

import dev.promgate.policy.PrivateDirectories;
import dev.promgate.policy.TrustedRoot;
import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.json.JsonParseException;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.tuf.FileSystemTufStore;
import dev.sigstore.tuf.MetaFetcher;
import dev.sigstore.tuf.PassthroughCacheMetaStore;
import dev.sigstore.tuf.RootProvider;
import dev.sigstore.tuf.TrustedMetaStore;
import dev.sigstore.tuf.Updater;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * One TUF repository a trusted root comes from, refreshed with sigstore-java's TUF client
 * ({@code dev.sigstore.tuf.Updater}: the TUF specification's client workflow — root rotation with
 * threshold signatures of the old and the new root, timestamp, snapshot and targets roles with
 * version, hash, length and expiry checks, rollback protection) over a {@link MirrorFetcher}.
 *
 * <p>Cache layout under {@link TrustedRoot.Tuf#cache()}: {@code metadata/} (the trusted TUF
 * metadata), {@code targets/} (downloaded targets), {@code trusted_root.json} (the verified Sigstore
 * trusted root the policy loader reads, replaced atomically) and {@code verified-at} (when the
 * mirror last confirmed it). Only {@code trusted_root.json} is read by anything else.
 */
final class TufRepository {

  static final String TARGET = "trusted_root.json";

  private final TrustedRoot.Tuf tuf;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;
  private final MirrorFetcher.Resolver resolver;

  TufRepository(TrustedRoot.Tuf tuf, HttpClient http, Duration timeout, Clock clock) {
    this(tuf, http, timeout, clock, MirrorFetcher.Resolver.SYSTEM);
  }

  TufRepository(TrustedRoot.Tuf tuf, HttpClient http, Duration timeout, Clock clock, MirrorFetcher.Resolver resolver) {
    this.tuf = tuf;
    this.http = http;
    this.timeout = timeout;
    this.clock = clock;
    this.resolver = resolver;
  }

  TrustedRoot.Tuf tuf() {
    return tuf;
  }

  /** What one refresh found. */
  record Refreshed(boolean changed, Instant verifiedAt) {}

  /**
   * Brings the local metadata up to date and writes the trusted root target if it changed.
   * Blocking; one at a time per repository.
   *
   * @throws RefreshFailed saying why (the mirror unreachable, metadata expired or badly signed, …)
   */
  synchronized Refreshed refresh() throws RefreshFailed {
    Path metadata = tuf.cache().resolve("metadata");
    Path targets = tuf.cache().resolve("targets");
    try {
      PrivateDirectories.create(tuf.cache());
      Optional<String> unsafe = PrivateDirectories.problem(tuf.cache());
      if (unsafe.isPresent()) {
        throw new RefreshFailed("the cache directory " + tuf.cache() + " " + unsafe.get()
            + ", so what promgate verified there could be replaced by someone else");
      }
      Files.createDirectories(metadata);
      Files.createDirectories(targets);
    } catch (IOException e) {
      throw new RefreshFailed("the cache directory " + tuf.cache() + " cannot be written: " + e.getMessage());
    }
    FileSystemTufStore store = FileSystemTufStore.newFileSystemStore(metadata, targets);
    URI mirror = tuf.mirror();
    Updater updater = Updater.builder()
        .setClock(clock)
        .setTrustedRootPath(RootProvider.fromFile(tuf.rootFile()))
        .setTrustedMetaStore(TrustedMetaStore.newTrustedMetaStore(PassthroughCacheMetaStore.newPassthroughMetaCache(store)))
        .setTargetStore(store)
        .setMetaFetcher(MetaFetcher.newFetcher(new MirrorFetcher(http, mirror, timeout, resolver)))
        .setTargetFetcher(new MirrorFetcher(http, URI.create(withSlash(mirror) + "targets/"), timeout,
            resolver))
        .build();
    byte[] root;
    try {
      updater.updateMeta();
      updater.downloadTarget(TARGET);
      root = store.readTarget(TARGET);
    } catch (IOException | JsonParseException | RuntimeException e) {
      throw new RefreshFailed(FailureBoundary.describe(e));
    }
    try {
      SigstoreTrustedRoot.from(new ByteArrayInputStream(root));
    } catch (SigstoreConfigurationException | RuntimeException e) {
      throw new RefreshFailed("its " + TARGET + " target is not a Sigstore trusted root: " + FailureBoundary.describe(e));
    }
    Instant now = clock.instant();
    try {
      Path current = tuf.trustedRootFile();
      boolean changed = !Files.exists(current) || !Arrays.equals(Files.readAllBytes(current), root);
      if (changed) {
        replace(current, root);
      }
      replace(tuf.verifiedAtFile(), now.toString().getBytes(StandardCharsets.US_ASCII));
      return new Refreshed(changed, now);
    } catch (IOException e) {
      throw new RefreshFailed("the cache directory " + tuf.cache() + " cannot be written: " + e.getMessage());
    }
  }

  /** When the mirror last confirmed the cached root, if ever (it survives restarts). */
  Optional<Instant> verifiedAt() {
    return tuf.verifiedAt();
  }

  /** Whether a verified root is in the cache. */
  boolean hasRoot() {
    return Files.isRegularFile(tuf.trustedRootFile());
  }

  /** Written beside, then moved over: a reader never sees half a file. */
  private static void replace(Path target, byte[] content) throws IOException {
    Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.write(temporary, content);
      try {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static String withSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? s : s + "/";
  }

  /** A refresh that did not complete; the last verified root stays in use. */
  static final class RefreshFailed extends Exception {
    RefreshFailed(String message) {
      super(message, null, false, false);
    }
  }
}
