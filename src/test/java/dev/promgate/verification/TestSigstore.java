package dev.promgate.verification;

import dev.promgate.json.Mappers;
import dev.promgate.policy.Authority;
import dev.sigstore.encryption.certificates.transparency.CertificateEntry;
import dev.sigstore.encryption.certificates.transparency.DigitallySigned;
import dev.sigstore.encryption.certificates.transparency.SignedCertificateTimestamp;
import dev.sigstore.rekor.client.ImmutableRekorEntry;
import dev.sigstore.rekor.client.ImmutableVerification;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small, offline Sigstore instance for tests: a Fulcio-like CA that issues short-lived
 * certificates with an embedded SCT from its own CT log, and a Rekor-like log that signs entry
 * timestamps, inclusion proofs (one-leaf trees) and checkpoints. Its {@link #trustedRootJson()}
 * is a Sigstore trusted root, so what it signs verifies exactly as public-good signatures do.
 * It writes what cosign writes: legacy {@code .sig}/{@code .att} layers with certificate, chain
 * and Rekor bundle annotations, and Sigstore bundles (v0.3).
 */
final class TestSigstore {

  static final String REKOR_HOST = "rekor.promgate.test";
  private static final ObjectMapper JSON = Mappers.JSON;
  private static final Instant EPOCH_OF_TRUST = Instant.parse("2020-01-01T00:00:00Z");

  private final KeyPair ca = ecKey("secp384r1");
  private final KeyPair ct = ecKey("secp256r1");
  private final KeyPair rekor = ecKey("secp256r1");
  private final X509Certificate caCertificate;
  private final AtomicLong serial = new AtomicLong(1000);
  private final AtomicLong logIndex = new AtomicLong(4000);

  TestSigstore() {
    try {
      X500Name name = new X500Name("O=promgate test, CN=test-fulcio");
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
          Date.from(EPOCH_OF_TRUST), Date.from(Instant.parse("2040-01-01T00:00:00Z")), name, ca.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      caCertificate = new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(ca.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A keyless authority trusting this instance. */
  Authority.Keyless authority(String name, Authority.Identity... identities) {
    return TestPolicies.keyless(name, trustedRootJson(), Path.of("trust", "test_trusted_root.json"), identities);
  }

  byte[] trustedRootJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
    root.putArray("tlogs").add(log("https://" + REKOR_HOST, rekor.getPublic()));
    ObjectNode authority = root.putArray("certificateAuthorities").addObject();
    authority.putObject("subject").put("organization", "promgate test").put("commonName", "test-fulcio");
    authority.put("uri", "https://fulcio.promgate.test");
    authority.putObject("certChain").putArray("certificates").addObject().put("rawBytes", b64(encoded(caCertificate)));
    authority.putObject("validFor").put("start", EPOCH_OF_TRUST.toString());
    root.putArray("ctlogs").add(log("https://ctfe.promgate.test", ct.getPublic()));
    root.putArray("timestampAuthorities");
    return bytes(root);
  }

  private ObjectNode log(String url, PublicKey key) {
    ObjectNode log = JSON.createObjectNode();
    log.put("baseUrl", url);
    log.put("hashAlgorithm", "SHA2_256");
    ObjectNode publicKey = log.putObject("publicKey");
    publicKey.put("rawBytes", b64(key.getEncoded()));
    publicKey.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    publicKey.putObject("validFor").put("start", EPOCH_OF_TRUST.toString());
    log.putObject("logId").put("keyId", b64(sha256(key.getEncoded())));
    return log;
  }

  // ---- signers ---------------------------------------------------------------------------------

  /** Someone who signed in with {@code issuer} as {@code subject} (an email, or a URI when it has a scheme). */
  Signer signer(String issuer, String subject, Instant at) {
    try {
      KeyPair key = ecKey("secp256r1");
      long number = serial.incrementAndGet();
      X509Certificate placeholder = leaf(key.getPublic(), issuer, subject, at, number, new byte[] {0, 0});
      CertificateEntry entry = CertificateEntry.createForPrecertificate(placeholder, caCertificate);
      long timestamp = at.toEpochMilli();
      byte[] logId = sha256(ct.getPublic().getEncoded());
      byte[] tbs = new SignedCertificateTimestamp(SignedCertificateTimestamp.Version.V1, logId, timestamp,
          new byte[0], new DigitallySigned(DigitallySigned.HashAlgorithm.SHA256,
          DigitallySigned.SignatureAlgorithm.ECDSA, new byte[0]), SignedCertificateTimestamp.Origin.EMBEDDED)
          .encodeTBS(entry);
      byte[] signature = sign(ct.getPrivate(), "SHA256withECDSA", tbs);
      ByteArrayOutputStream sct = new ByteArrayOutputStream();
      sct.write(0);
      sct.writeBytes(logId);
      for (int i = 7; i >= 0; i--) {
        sct.write((int) (timestamp >>> (8 * i)));
      }
      sct.write(0);
      sct.write(0);
      sct.write(4);
      sct.write(3);
      writeLength(sct, signature.length);
      sct.writeBytes(signature);
      ByteArrayOutputStream list = new ByteArrayOutputStream();
      writeLength(list, sct.size() + 2);
      writeLength(list, sct.size());
      list.writeBytes(sct.toByteArray());
      return new Signer(key, leaf(key.getPublic(), issuer, subject, at, number, list.toByteArray()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private X509Certificate leaf(PublicKey key, String issuer, String subject, Instant at, long number,
                               byte[] sctList) throws Exception {
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("O=promgate test, CN=test-fulcio"),
        BigInteger.valueOf(number), Date.from(at.minus(1, ChronoUnit.MINUTES)), Date.from(at.plus(9, ChronoUnit.MINUTES)),
        new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key);
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
    GeneralName san = subject.contains("://") ? new GeneralName(GeneralName.uniformResourceIdentifier, subject)
        : new GeneralName(GeneralName.rfc822Name, subject);
    b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(san));
    b.addExtension(new ASN1ObjectIdentifier(CertificateIdentity.ISSUER_OID), false, new DERUTF8String(issuer));
    b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"), false, new DEROctetString(sctList));
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(ca.getPrivate())));
  }

  /** A signing identity: an ephemeral key and the certificate issued for it. */
  record Signer(KeyPair key, X509Certificate certificate) {
    byte[] sign(byte[] content) {
      return TestSigstore.sign(key.getPrivate(), "SHA256withECDSA", content);
    }

    String certificatePem() {
      return pem(certificate);
    }
  }

  // ---- log entries ----------------------------------------------------------------------------

  /** A Rekor entry: the body, where and when it was logged, and the log's signature (SET). */
  record LogEntry(byte[] body, long index, Instant integratedTime, String logId, byte[] set) {}

  LogEntry log(byte[] body, Instant integratedTime) {
    long index = logIndex.incrementAndGet();
    String logId = HexFormat.of().formatHex(sha256(rekor.getPublic().getEncoded()));
    var entry = ImmutableRekorEntry.builder().body(b64(body)).integratedTime(integratedTime.getEpochSecond())
        .logID(logId).logIndex(index).verification(ImmutableVerification.builder().build()).build();
    return new LogEntry(body, index, integratedTime, logId, sign(rekor.getPrivate(), "SHA256withECDSA",
        entry.getSignableContent()));
  }

  static byte[] hashedRekordBody(byte[] artifact, byte[] signature, X509Certificate certificate) {
    ObjectNode body = JSON.createObjectNode().put("apiVersion", "0.0.1").put("kind", "hashedrekord");
    ObjectNode spec = body.putObject("spec");
    spec.putObject("data").putObject("hash").put("algorithm", "sha256").put("value", hex(sha256(artifact)));
    ObjectNode sig = spec.putObject("signature").put("content", b64(signature));
    sig.putObject("publicKey").put("content", b64(pem(certificate).getBytes(StandardCharsets.US_ASCII)));
    return bytes(body);
  }

  static byte[] dsseBody(DsseEnvelope envelope, byte[] signature, X509Certificate certificate) {
    ObjectNode body = JSON.createObjectNode().put("apiVersion", "0.0.1").put("kind", "dsse");
    ObjectNode spec = body.putObject("spec");
    spec.putObject("envelopeHash").put("algorithm", "sha256").put("value", hex(sha256(envelope.pae())));
    spec.putObject("payloadHash").put("algorithm", "sha256").put("value", hex(sha256(envelope.payload())));
    spec.putArray("signatures").addObject().put("signature", b64(signature))
        .put("verifier", b64(pem(certificate).getBytes(StandardCharsets.US_ASCII)));
    return bytes(body);
  }

  static byte[] intotoV1Body(DsseEnvelope envelope, X509Certificate certificate) {
    ObjectNode body = JSON.createObjectNode().put("apiVersion", "0.0.1").put("kind", "intoto");
    ObjectNode spec = body.putObject("spec");
    ObjectNode content = spec.putObject("content");
    content.putObject("hash").put("algorithm", "sha256").put("value", hex(sha256(envelope.pae())));
    content.putObject("payloadHash").put("algorithm", "sha256").put("value", hex(sha256(envelope.payload())));
    spec.put("publicKey", b64(pem(certificate).getBytes(StandardCharsets.US_ASCII)));
    return bytes(body);
  }

  // ---- cosign legacy layers -------------------------------------------------------------------

  /** A cosign {@code .sig} layer signed keyless by {@code signer} and logged at {@code at}. */
  SignedContent.SignatureLayer cosignSignature(Signer signer, byte[] payload, Instant at) {
    byte[] signature = signer.sign(payload);
    LogEntry entry = log(hashedRekordBody(payload, signature, signer.certificate()), at);
    return new SignedContent.SignatureLayer("test.sig layer", CosignSignatureLayer.MEDIA_TYPE, payload,
        Map.of(CosignSignatureLayer.SIGNATURE, b64(signature), CosignLegacy.CERTIFICATE, signer.certificatePem(),
            CosignLegacy.CHAIN, pem(caCertificate), CosignLegacy.BUNDLE, cosignBundleAnnotation(entry)));
  }

  /** A cosign {@code .att} layer signed keyless, logged as a dsse or intoto entry. */
  SignedContent.AttestationLayer cosignAttestation(Signer signer, byte[] statement, Instant at, String logKind) {
    DsseEnvelope unsigned = new DsseEnvelope(DsseEnvelope.IN_TOTO, statement, java.util.List.of());
    byte[] signature = signer.sign(unsigned.pae());
    byte[] body = "intoto".equals(logKind) ? intotoV1Body(unsigned, signer.certificate())
        : dsseBody(unsigned, signature, signer.certificate());
    LogEntry entry = log(body, at);
    return new SignedContent.AttestationLayer("test.att layer", "application/vnd.dsse.envelope.v1+json",
        envelopeJson(DsseEnvelope.IN_TOTO, statement, signature),
        Map.of(CosignLegacy.CERTIFICATE, signer.certificatePem(), CosignLegacy.CHAIN, pem(caCertificate),
            CosignLegacy.BUNDLE, cosignBundleAnnotation(entry)));
  }

  static String cosignBundleAnnotation(LogEntry entry) {
    ObjectNode bundle = JSON.createObjectNode().put("SignedEntryTimestamp", b64(entry.set()));
    bundle.putObject("Payload").put("body", b64(entry.body())).put("integratedTime", entry.integratedTime().getEpochSecond())
        .put("logIndex", entry.index()).put("logID", entry.logId());
    return new String(bytes(bundle), StandardCharsets.UTF_8);
  }

  static byte[] envelopeJson(String payloadType, byte[] payload, byte[]... signatures) {
    ObjectNode envelope = JSON.createObjectNode().put("payloadType", payloadType).put("payload", b64(payload));
    ArrayNode sigs = envelope.putArray("signatures");
    for (byte[] s : signatures) {
      sigs.addObject().put("keyid", "").put("sig", b64(s));
    }
    return bytes(envelope);
  }

  // ---- Sigstore bundles -----------------------------------------------------------------------

  /** A v0.3 bundle with a DSSE envelope, signed keyless and logged as a dsse 0.0.1 entry. */
  byte[] dsseBundle(Signer signer, byte[] statement, Instant at) {
    DsseEnvelope unsigned = new DsseEnvelope(DsseEnvelope.IN_TOTO, statement, java.util.List.of());
    byte[] signature = signer.sign(unsigned.pae());
    LogEntry entry = log(dsseBody(unsigned, signature, signer.certificate()), at);
    ObjectNode bundle = bundleWithEntry(entry, "dsse", signer.certificate());
    ObjectNode envelope = bundle.putObject("dsseEnvelope").put("payload", b64(statement))
        .put("payloadType", DsseEnvelope.IN_TOTO);
    envelope.putArray("signatures").addObject().put("sig", b64(signature)).put("keyid", "");
    return bytes(bundle);
  }

  /** A v0.3 bundle with a message signature over an artifact digest (hashedrekord 0.0.1). */
  byte[] messageBundle(Signer signer, byte[] artifact, Instant at) {
    byte[] signature = signer.sign(artifact);
    LogEntry entry = log(hashedRekordBody(artifact, signature, signer.certificate()), at);
    ObjectNode bundle = bundleWithEntry(entry, "hashedrekord", signer.certificate());
    ObjectNode message = bundle.putObject("messageSignature");
    message.putObject("messageDigest").put("algorithm", "SHA2_256").put("digest", b64(sha256(artifact)));
    message.put("signature", b64(signature));
    return bytes(bundle);
  }

  private ObjectNode bundleWithEntry(LogEntry entry, String kind, X509Certificate certificate) {
    ObjectNode bundle = JSON.createObjectNode().put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
    ObjectNode material = bundle.putObject("verificationMaterial");
    material.putObject("certificate").put("rawBytes", b64(encoded(certificate)));
    ObjectNode tlog = material.putArray("tlogEntries").addObject();
    tlog.put("logIndex", Long.toString(entry.index()));
    tlog.putObject("logId").put("keyId", b64(HexFormat.of().parseHex(entry.logId())));
    tlog.putObject("kindVersion").put("kind", kind).put("version", "0.0.1");
    tlog.put("integratedTime", Long.toString(entry.integratedTime().getEpochSecond()));
    tlog.putObject("inclusionPromise").put("signedEntryTimestamp", b64(entry.set()));
    byte[] root = sha256(concat(new byte[] {0}, entry.body()));
    String header = REKOR_HOST + " - 1234567890\n1\n" + b64(root) + "\n";
    byte[] checkpointSignature = sign(rekor.getPrivate(), "SHA256withECDSA", header.getBytes(StandardCharsets.UTF_8));
    byte[] keyHint = java.util.Arrays.copyOf(sha256(rekor.getPublic().getEncoded()), 4);
    ObjectNode proof = tlog.putObject("inclusionProof");
    proof.put("logIndex", "0").put("rootHash", b64(root)).put("treeSize", "1");
    proof.putArray("hashes");
    proof.putObject("checkpoint").put("envelope",
        header + "\n\u2014 " + REKOR_HOST + " " + b64(concat(keyHint, checkpointSignature)) + "\n");
    tlog.put("canonicalizedBody", b64(entry.body()));
    return bundle;
  }

  // ---- helpers --------------------------------------------------------------------------------

  static KeyPair ecKey(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sign(PrivateKey key, String algorithm, byte[] content) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(content);
      return s.sign();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(X509Certificate certificate) {
    return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(encoded(certificate)) + "\n-----END CERTIFICATE-----\n";
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static void writeLength(ByteArrayOutputStream out, int length) {
    out.write(length >>> 8);
    out.write(length & 0xff);
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
