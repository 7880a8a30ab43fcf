package dev.promgate.verification;

import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.trustroot.TransparencyLog;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * What a signature brings besides itself to show that it was logged and when it existed: Rekor log
 * entries (a cosign "bundle" annotation with a SET, or a Sigstore bundle's entries with inclusion
 * proofs) and RFC 3161 timestamps, checked against one trusted root and bound to this signature and
 * signer. The same checks serve every signer kind (Fulcio certificate, enterprise certificate, plain
 * key), so that a key authority with {@code transparencyLog: required} gets exactly the log checks
 * a keyless one gets.
 *
 * <p>Checks: every timestamp verifies ({@link Rfc3161Timestamps}); when the log is required, the
 * first entry comes from a log of the trusted root whose key was valid at the entry's time (its
 * integrated time when a SET signs it; else the timestamps' times, as for Rekor v2 entries, which
 * have no integrated time; with neither, the time of the check), proves its
 * inclusion (inclusion proof and signed checkpoint, and the SET when present) or, for cosign's
 * legacy annotation, carries a SET that verifies, and its body records this signature, artifact
 * and signer ({@link LogEntryBodies}). The trusted times are the integrated time of an entry whose
 * SET verified and the times of the timestamps; none may lie in the future.
 */
final class TransparencyEvidence {

  /** Clocks disagree a little; a log time this far ahead of ours is still accepted. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /**
   * A moment the signature provably existed, and what proves it.
   *
   * @param source   how messages name it ({@code transparency log time …}, {@code RFC 3161 timestamp …})
   * @param evidence how the evidence log names it ({@code Rekor entry 123 at …})
   */
  record TrustedTime(Instant time, String source, String evidence) {
    TrustedTime(Instant time, String source) {
      this(time, source, source);
    }

    @Override
    public String toString() {
      return source;
    }
  }

  /**
   * @param entries     log entries as found (empty when there are none)
   * @param timestamps  RFC 3161 timestamps as found
   * @param timestamped the bytes the timestamps are over; null for the signature bytes themselves
   */
  record Found(List<RekorEntry> entries, List<byte[]> timestamps, byte[] timestamped) {
    Found(List<RekorEntry> entries, List<byte[]> timestamps) {
      this(entries, timestamps, null);
    }

    static Found none() {
      return new Found(List.of(), List.of());
    }
  }

  private TransparencyEvidence() {}

  /**
   * @param logRequired whether a log entry must be present and verify
   * @return the trusted times; empty when neither a SET nor a timestamp shows one
   * @throws Invalid naming the check that failed
   */
  static List<TrustedTime> verify(Found found, TrustMaterial trust, LogEntryBodies.Expected expected,
                                  LogEntryBodies.Signer signer, boolean logRequired, Instant now) throws Invalid {
    List<TrustedTime> times = new ArrayList<>();
    for (byte[] token : found.timestamps()) {
      Rfc3161Timestamps.Verified stamp = Rfc3161Timestamps.verify(token,
          found.timestamped() == null ? expected.signature() : found.timestamped(),
          trust.root().getTSAs(), trust.description());
      times.add(new TrustedTime(stamp.time(), stamp.toString()));
    }
    if (logRequired) {
      if (found.entries().isEmpty()) {
        throw new Invalid("it has no transparency log entry, and its authority requires one (transparencyLog: required)");
      }
      TrustedTime logged = verifyEntry(found.entries().get(0), trust, expected, signer, times, now);
      if (logged != null) {
        times.add(0, logged);
      }
    }
    for (TrustedTime t : times) {
      if (t.time().isAfter(now.plus(CLOCK_SKEW))) {
        throw new Invalid("its " + t + " is in the future");
      }
    }
    return times;
  }

  /**
   * The entry's integrated time when its SET verified (the only signature over that time), else null.
   * The log's key must have been valid when the entry was made: at its integrated time when a SET
   * signs that time; otherwise the integrated time is just a number anyone could have written, and
   * the timestamps date the entry, or, with none, it is dated now.
   */
  private static TrustedTime verifyEntry(RekorEntry entry, TrustMaterial trust, LogEntryBodies.Expected expected,
                                         LogEntryBodies.Signer signer, List<TrustedTime> timestamps, Instant now)
      throws Invalid {
    byte[] logId;
    try {
      logId = HexFormat.of().parseHex(entry.getLogID());
    } catch (IllegalArgumentException e) {
      throw new Invalid("its transparency log entry's log ID is malformed");
    }
    TransparencyLog log = trust.transparencyLog(logId)
        .orElseThrow(() -> new Invalid("its Rekor entry comes from log " + entry.getLogID()
            + ", which the " + trust.description() + " does not list"));
    Instant integrated = Instant.ofEpochSecond(entry.getIntegratedTime());
    String set = entry.getVerification().getSignedEntryTimestamp();
    boolean hasSet = set != null && !set.isEmpty();
    String dated = hasSet ? "was integrated at " : timestamps.isEmpty() ? "has no signed entry timestamp and no RFC 3161"
        + " timestamp, so it counts as made now, " : "was timestamped at ";
    List<Instant> entryTimes = hasSet ? List.of(integrated)
        : timestamps.isEmpty() ? List.of(now) : timestamps.stream().map(TrustedTime::time).toList();
    for (Instant t : entryTimes) {
      if (!log.getPublicKey().getValidFor().contains(t)) {
        throw new Invalid("its Rekor entry " + dated + t + ", outside the validity of that log's key in the "
            + trust.description() + " (" + log.getPublicKey().getValidFor().getStart() + " to "
            + log.getPublicKey().getValidFor().getEnd().map(Instant::toString).orElse("now") + ")");
      }
    }
    if (entry.getVerification().getInclusionProof() != null) {
      try {
        LogEntryProofs.verify(entry, trust);
      } catch (Invalid e) {
        throw e.reworded("Transparency log entry could not be verified: " + e.getMessage());
      }
    } else if (hasSet) {
      verifySet(entry, log, trust);
    } else {
      throw new Invalid("its transparency log entry has neither an inclusion proof nor a signed entry timestamp");
    }
    LogEntryBodies.check(Json.base64(entry.getBody(), "the Rekor entry body"), expected, signer);
    return hasSet ? new TrustedTime(integrated, "transparency log time " + integrated,
        "Rekor entry " + entry.getLogIndex() + " at " + integrated) : null;
  }

  private static void verifySet(RekorEntry entry, TransparencyLog log, TrustMaterial trust) throws Invalid {
    byte[] set;
    try {
      set = Base64.getDecoder().decode(entry.getVerification().getSignedEntryTimestamp());
    } catch (IllegalArgumentException e) {
      throw new Invalid("its Rekor signed entry timestamp is not base64");
    }
    PublicKey logKey;
    try {
      logKey = log.getPublicKey().toJavaPublicKey();
    } catch (GeneralSecurityException e) {
      throw Invalid.unusableRoot("the Rekor key in the " + trust.description() + " cannot be read ("
          + e.getMessage() + ")");
    }
    if (!Signatures.verify(logKey, entry.getSignableContent(), set)) {
      throw new Invalid("its Rekor signed entry timestamp does not verify with the log's key");
    }
  }

  /**
   * The certificate must have been valid at every trusted time, and there must be one.
   *
   * @param missing what to say when no time is trusted
   */
  static void requireValidAt(X509Certificate leaf, List<TrustedTime> times, String missing) throws Invalid {
    if (times.isEmpty()) {
      throw new Invalid(missing);
    }
    for (TrustedTime t : times) {
      try {
        leaf.checkValidity(Date.from(t.time()));
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        throw new Invalid("its " + t.source() + " is outside the certificate's validity ("
            + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant() + ")");
      }
    }
  }
}
