package dev.promgate.verification;

import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.encryption.signers.Verifiers;
import dev.sigstore.merkle.InclusionProofVerificationException;
import dev.sigstore.merkle.InclusionProofVerifier;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.rekor.client.RekorParseException;
import dev.sigstore.trustroot.TransparencyLog;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Proof that the transparency log holds an entry: its SET (Rekor v1), its inclusion proof up to a
 * root hash, and the log's signature on a checkpoint for that root. The same checks as sigstore-java
 * 2.0.0's {@code RekorVerifier.verifyEntry}, on its own building blocks, with one difference: a
 * checkpoint signature line may name the log by host or by host and port. sigstore-java compares
 * with the host only and so rejects logs served on an explicit port (the conformance suite's local
 * instance, {@code localhost:8000}); the signature must verify with the trusted log key either way.
 */
final class LogEntryProofs {

  private static final int MAX_CHECKPOINT_SIGNATURES = 20;

  private LogEntryProofs() {}

  static void verify(RekorEntry entry, TrustMaterial trust) throws Invalid {
    RekorEntry.InclusionProof proof = entry.getVerification().getInclusionProof();
    if (proof == null) {
      throw new Invalid("the transparency log entry has no inclusion proof");
    }
    TransparencyLog log;
    try {
      log = trust.transparencyLog(HexFormat.of().parseHex(entry.getLogID()))
          .orElseThrow(() -> new Invalid("the transparency log entry comes from log " + entry.getLogID()
              + ", which the " + trust.description() + " does not list"));
    } catch (IllegalArgumentException e) {
      throw new Invalid("the transparency log entry's log ID is not hex");
    }
    PublicKey key;
    try {
      key = log.getPublicKey().toJavaPublicKey();
    } catch (GeneralSecurityException e) {
      throw Invalid.unusableRoot("the key of log " + log.getBaseUrl() + " in the " + trust.description() + " cannot be read ("
          + e.getMessage() + ")");
    }
    String set = entry.getVerification().getSignedEntryTimestamp();
    if (set != null && !set.isEmpty()
        && !verifies(key, entry.getSignableContent(), Json.base64(set, "the signed entry timestamp"))) {
      throw new Invalid("Entry SET was not valid");
    }
    byte[] body = Json.base64(entry.getBody(), "the transparency log entry body");
    byte[] leaf = sha256(new byte[] {0}, body);
    List<byte[]> hashes = new ArrayList<>();
    try {
      for (String h : proof.getHashes()) {
        hashes.add(HexFormat.of().parseHex(h));
      }
      byte[] root = HexFormat.of().parseHex(proof.getRootHash());
      InclusionProofVerifier.verify(leaf, proof.getLogIndex(), proof.getTreeSize(), hashes, root);
      verifyCheckpoint(proof, root, log, key);
    } catch (InclusionProofVerificationException e) {
      throw new Invalid("Inclusion proof verification failed: " + FailureBoundary.describe(e));
    } catch (IllegalArgumentException e) {
      throw new Invalid("the inclusion proof is malformed");
    }
  }

  private static void verifyCheckpoint(RekorEntry.InclusionProof proof, byte[] root, TransparencyLog log,
                                       PublicKey key) throws Invalid {
    RekorEntry.Checkpoint checkpoint;
    try {
      checkpoint = proof.parsedCheckpoint();
    } catch (RekorParseException | RuntimeException e) {
      throw new Invalid("Could not parse checkpoint from envelope: " + FailureBoundary.describe(e));
    }
    if (checkpoint.getSignatures().size() > MAX_CHECKPOINT_SIGNATURES) {
      throw new Invalid("the checkpoint has more than " + MAX_CHECKPOINT_SIGNATURES + " signatures");
    }
    byte[] checkpointRoot;
    try {
      checkpointRoot = Base64.getDecoder().decode(checkpoint.getBase64Hash());
    } catch (IllegalArgumentException e) {
      throw new Invalid("the checkpoint's root hash is not base64");
    }
    if (!Arrays.equals(root, checkpointRoot)) {
      throw new Invalid("Checkpoint root hash does not match root hash provided in inclusion proof");
    }
    URI url = log.getBaseUrl();
    List<String> names = url.getPort() < 0 ? List.of(url.getHost()) : List.of(url.getHost(), url.getHost() + ":" + url.getPort());
    RekorEntry.CheckpointSignature signature = checkpoint.getSignatures().stream()
        .filter(s -> names.contains(s.getIdentity()))
        .findFirst()
        .orElseThrow(() -> new Invalid("No matching checkpoint signature found for transparency log: " + names.get(0)));
    byte[] keyHint = Arrays.copyOfRange(log.getLogId().getKeyId(), 0, 4);
    if (!Arrays.equals(signature.getKeyHint(), keyHint)) {
      throw new Invalid("Checkpoint key hint did not match provided log public key");
    }
    if (!verifies(key, checkpoint.getSignedData().getBytes(StandardCharsets.UTF_8), signature.getSignature())) {
      throw new Invalid("Checkpoint signature was invalid");
    }
  }

  private static boolean verifies(PublicKey key, byte[] content, byte[] signature) {
    try {
      return Verifiers.newVerifier(key).verify(content, signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static byte[] sha256(byte[] prefix, byte[] content) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(prefix);
      return md.digest(content);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks SHA-256", e);
    }
  }
}
