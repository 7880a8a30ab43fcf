package dev.promgate.verification;

import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.rekor.client.ImmutableInclusionProof;
import dev.sigstore.rekor.client.ImmutableRekorEntry;
import dev.sigstore.rekor.client.ImmutableVerification;
import dev.sigstore.rekor.client.RekorEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The {@code verificationMaterial} of a Sigstore bundle, read with our JSON reader. sigstore-java
 * 2.0.0's reader refuses two kinds of bundles promgate must verify: those signed with a plain key
 * ({@code publicKey}: "Plain public keys are not supported") and those without a transparency-log
 * entry (GitHub's private-repository attestations: "Could not find any tlog entries"). This reads
 * every kind; whether the material suffices is decided when it is verified.
 *
 * @param certificates the signing certificate first, then any chain the bundle carries; empty for
 *                     key-signed bundles
 * @param keyHint      {@code publicKey.hint} of a key-signed bundle, informational only
 * @param entries      the transparency-log entries, as sigstore-java's entry type so that its SET and
 *                     checkpoint code applies; an entry without an inclusion proof has none
 * @param timestamps   the RFC 3161 timestamps, DER
 */
record BundleMaterial(List<X509Certificate> certificates, Optional<String> keyHint, List<RekorEntry> entries,
                      List<byte[]> timestamps) {

  /** Entries and timestamps beyond these are not read: the bundle comes from whoever could push. */
  static final int MAX_ENTRIES = 8;
  static final int MAX_TIMESTAMPS = 8;
  private static final int MAX_CHAIN = 8;
  private static final int MAX_PROOF_HASHES = 64;

  boolean keySigned() {
    return certificates.isEmpty();
  }

  TransparencyEvidence.Found evidence() {
    return new TransparencyEvidence.Found(entries, timestamps);
  }

  static BundleMaterial read(JsonNode material) throws Invalid {
    String what = "the bundle's verification material";
    List<X509Certificate> certificates = new ArrayList<>();
    Optional<String> keyHint = Optional.empty();
    if (material.hasNonNull("certificate")) {
      certificates.add(certificate(Json.object(material, "certificate", what), "the bundle's certificate"));
    } else if (material.hasNonNull("x509CertificateChain")) {
      JsonNode list = Json.array(Json.object(material, "x509CertificateChain", what), "certificates",
          "the bundle's certificate chain");
      if (list.isEmpty()) {
        throw new Invalid("the bundle's certificate chain is empty");
      }
      if (list.size() > MAX_CHAIN) {
        throw new Invalid("the bundle's certificate chain has " + list.size() + " certificates, more than " + MAX_CHAIN);
      }
      for (JsonNode c : list) {
        certificates.add(certificate(c, "a certificate of the bundle's chain"));
      }
    } else if (material.hasNonNull("publicKey")) {
      JsonNode key = Json.object(material, "publicKey", what);
      keyHint = Json.optionalText(key, "hint", "the bundle's public key");
    } else {
      throw new Invalid(what + " has no certificate, certificate chain or public key");
    }
    List<RekorEntry> entries = new ArrayList<>();
    JsonNode tlog = material.get("tlogEntries");
    if (tlog != null && !tlog.isNull()) {
      if (!tlog.isArray()) {
        throw new Invalid(what + ": \"tlogEntries\" must be an array");
      }
      for (int i = 0; i < Math.min(tlog.size(), MAX_ENTRIES); i++) {
        entries.add(entry(tlog.get(i)));
      }
    }
    List<byte[]> timestamps = new ArrayList<>();
    JsonNode data = material.get("timestampVerificationData");
    if (data != null && !data.isNull()) {
      JsonNode list = data.get("rfc3161Timestamps");
      if (list != null && !list.isNull()) {
        if (!list.isArray()) {
          throw new Invalid("the bundle's timestamp verification data: \"rfc3161Timestamps\" must be an array");
        }
        if (list.size() > MAX_TIMESTAMPS) {
          throw new Invalid("the bundle has " + list.size() + " RFC 3161 timestamps, more than " + MAX_TIMESTAMPS);
        }
        for (JsonNode t : list) {
          timestamps.add(Json.base64Field(t, "signedTimestamp", "an RFC 3161 timestamp of the bundle"));
        }
      }
    }
    return new BundleMaterial(List.copyOf(certificates), keyHint, List.copyOf(entries), List.copyOf(timestamps));
  }

  private static X509Certificate certificate(JsonNode node, String what) throws Invalid {
    if (!node.isObject()) {
      throw new Invalid(what + " must be an object");
    }
    return CertificateIdentity.parseDer(Json.base64Field(node, "rawBytes", what), what);
  }

  /** The same mapping as sigstore-java's bundle reader, without requiring an inclusion proof. */
  private static RekorEntry entry(JsonNode node) throws Invalid {
    String what = "the bundle's transparency log entry";
    if (!node.isObject()) {
      throw new Invalid(what + " must be an object");
    }
    HexFormat hex = HexFormat.of();
    byte[] logId = Json.base64Field(Json.object(node, "logId", what), "keyId", what + " log ID");
    ImmutableVerification.Builder verification = ImmutableVerification.builder();
    JsonNode promise = node.get("inclusionPromise");
    if (promise != null && promise.isObject() && promise.hasNonNull("signedEntryTimestamp")) {
      byte[] set = Json.base64Field(promise, "signedEntryTimestamp", what + " inclusion promise");
      if (set.length > 0) {
        verification.signedEntryTimestamp(Base64.getEncoder().encodeToString(set));
      }
    }
    JsonNode proof = node.get("inclusionProof");
    if (proof != null && !proof.isNull()) {
      String p = what + " inclusion proof";
      if (!proof.isObject()) {
        throw new Invalid(p + " must be an object");
      }
      // protobuf JSON leaves out empty lists and zero numbers: a proof in a one-entry tree has no hashes
      JsonNode hashes = proof.hasNonNull("hashes") ? Json.array(proof, "hashes", p) : Json.MAPPER.createArrayNode();
      if (hashes.size() > MAX_PROOF_HASHES) {
        throw new Invalid(p + " has " + hashes.size() + " hashes, more than " + MAX_PROOF_HASHES);
      }
      List<String> hexHashes = new ArrayList<>();
      for (JsonNode h : hashes) {
        if (!h.isTextual()) {
          throw new Invalid(p + ": every hash must be a base64 string");
        }
        hexHashes.add(hex.formatHex(Json.base64(h.textValue(), p + " hash")));
      }
      String checkpoint = Json.text(Json.object(proof, "checkpoint", p), "envelope", p + " checkpoint");
      verification.inclusionProof(ImmutableInclusionProof.builder()
          .logIndex(proof.hasNonNull("logIndex") ? Json.number(proof, "logIndex", p) : 0)
          .treeSize(proof.hasNonNull("treeSize") ? Json.number(proof, "treeSize", p) : 0)
          .rootHash(hex.formatHex(Json.base64Field(proof, "rootHash", p)))
          .hashes(hexHashes)
          .checkpoint(checkpoint)
          .build());
    }
    long integratedTime = node.hasNonNull("integratedTime") ? Json.number(node, "integratedTime", what) : 0;
    long logIndex = node.hasNonNull("logIndex") ? Json.number(node, "logIndex", what) : 0;
    byte[] body = Json.base64Field(node, "canonicalizedBody", what);
    try {
      return ImmutableRekorEntry.builder()
          .integratedTime(integratedTime)
          .logID(hex.formatHex(logId))
          .logIndex(logIndex)
          .body(Base64.getEncoder().encodeToString(body))
          .verification(verification.build())
          .build();
    } catch (RuntimeException e) {
      throw new Invalid(what + " is incomplete: " + FailureBoundary.describe(e));
    }
  }
}
