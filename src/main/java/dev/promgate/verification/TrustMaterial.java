package dev.promgate.verification;

import dev.sigstore.KeylessVerifier;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.timestamp.client.TimestampVerifier;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.trustroot.TransparencyLog;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Optional;

/**
 * The sigstore-java verifiers for one trusted root, built once per root and shared: they hold only
 * the parsed trust material and are safe to use from several threads.
 */
final class TrustMaterial {

  private final String description;
  private final SigstoreTrustedRoot root;
  private final FulcioVerifier fulcio;
  private final RekorVerifier rekor;
  private final TimestampVerifier timestamps;
  private final KeylessVerifier keyless;

  private TrustMaterial(String description, SigstoreTrustedRoot root, FulcioVerifier fulcio,
                        RekorVerifier rekor, TimestampVerifier timestamps, KeylessVerifier keyless) {
    this.description = description;
    this.root = root;
    this.fulcio = fulcio;
    this.rekor = rekor;
    this.timestamps = timestamps;
    this.keyless = keyless;
  }

  static TrustMaterial of(SigstoreTrustedRoot root, String description) throws Invalid {
    try {
      return new TrustMaterial(description, root,
          FulcioVerifier.newFulcioVerifier(root),
          RekorVerifier.newRekorVerifier(root),
          TimestampVerifier.newTimestampVerifier(root),
          KeylessVerifier.builder().trustedRootProvider(() -> root).build());
    } catch (GeneralSecurityException | SigstoreConfigurationException | RuntimeException e) {
      throw Invalid.unusableRoot(description + " cannot be used: " + e.getMessage());
    }
  }

  String description() {
    return description;
  }

  SigstoreTrustedRoot root() {
    return root;
  }

  FulcioVerifier fulcio() {
    return fulcio;
  }

  RekorVerifier rekor() {
    return rekor;
  }

  TimestampVerifier timestamps() {
    return timestamps;
  }

  KeylessVerifier keyless() {
    return keyless;
  }

  /**
   * The transparency log with this log ID, refusing a trusted root that lists its key without the
   * start of its validity: sigstore-java reads the missing start as the epoch, i.e. "always", and a
   * malformed root must not widen trust.
   */
  Optional<TransparencyLog> transparencyLog(byte[] logId) throws Invalid {
    Optional<TransparencyLog> log = TransparencyLog.find(root.getTLogs(), logId);
    if (log.isPresent() && Instant.EPOCH.equals(log.get().getPublicKey().getValidFor().getStart())) {
      throw Invalid.unusableRoot(description + " is malformed: the key of transparency log "
          + log.get().getBaseUrl() + " has no validFor.start");
    }
    return log;
  }
}
