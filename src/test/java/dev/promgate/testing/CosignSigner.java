package dev.promgate.testing;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A cosign key pair for tests: signs images and attestations the way {@code cosign sign --key} and
 * {@code cosign attest --key} store them in the legacy tag scheme, as {@link TestImages.Layer}s
 * ready for {@link TestImages#pushCosignSignatures} and {@link TestImages#pushCosignAttestations}.
 *
 * <pre>{@code
 * CosignSigner ci = CosignSigner.generate();                  // ECDSA P-256, as cosign generate-key-pair
 * Files.writeString(policies.resolve("ci.pub"), ci.publicKeyPem());
 * images.pushCosignSignatures(web.pinned(), List.of(ci.signature(web.pinned())));
 * images.pushCosignAttestations(web.pinned(), List.of(
 *     releaseManagers.attestation(web.pinned(), CosignSigner.PROMOTION,
 *         CosignSigner.promotion("prod", Instant.now(), "alice@acme.example"))));
 * }</pre>
 *
 * <p>A {@code .sig} layer holds cosign's simple-signing payload (media type
 * {@value TestImages#COSIGN_SIMPLE_SIGNING}) with the signature over its bytes in the
 * {@value #SIGNATURE_ANNOTATION} annotation. An {@code .att} layer holds a DSSE envelope (media type
 * {@value TestImages#DSSE_ENVELOPE}) whose payload is an in-toto v1 statement about the digest,
 * signed over the DSSE pre-authentication encoding, with the statement's predicate type in the
 * {@value #PREDICATE_TYPE_ANNOTATION} annotation.
 */
public final class CosignSigner {

  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
  public static final String PREDICATE_TYPE_ANNOTATION = "predicateType";
  public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
  public static final String IN_TOTO_STATEMENT_V1 = "https://in-toto.io/Statement/v1";
  /** promgate's promotion predicate type. */
  public static final String PROMOTION = "https://promgate.dev/promotion/v1";
  public static final String SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";

  private static final ObjectMapper JSON = Mappers.JSON;

  private final KeyPair keys;
  private final String algorithm;

  private CosignSigner(KeyPair keys, String algorithm) {
    this.keys = keys;
    this.algorithm = algorithm;
  }

  /** A fresh ECDSA P-256 key, signing with SHA-256, as {@code cosign generate-key-pair} makes. */
  public static CosignSigner generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return new CosignSigner(generator.generateKeyPair(), "SHA256withECDSA");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an ECDSA P-256 key", e);
    }
  }

  /**
   * A signer for an existing key pair: ECDSA signs with SHA-256 (as cosign does for P-256), RSA with
   * PKCS#1 v1.5 and SHA-256, Ed25519 as itself.
   */
  public static CosignSigner of(KeyPair keys) {
    String algorithm = switch (keys.getPrivate().getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("cosign keys are ECDSA, RSA or Ed25519, not "
          + keys.getPrivate().getAlgorithm());
    };
    return new CosignSigner(keys, algorithm);
  }

  /** The public key in PEM ({@code -----BEGIN PUBLIC KEY-----}), as a policy's {@code publicKeyFile}. */
  public String publicKeyPem() {
    return pem("PUBLIC KEY", keys.getPublic().getEncoded());
  }

  /** The private key as unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
  public String privateKeyPem() {
    return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
  }

  public PublicKey publicKey() {
    return keys.getPublic();
  }

  /** A raw signature over {@code content}. */
  public byte[] sign(byte[] content) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(keys.getPrivate());
      s.update(content);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + algorithm, e);
    }
  }

  /** A {@code .sig} layer: the simple-signing payload for the pinned {@code image}, signed. */
  public TestImages.Layer signature(ImageReference image) {
    byte[] payload = TestImages.simpleSigningPayload(image);
    return TestImages.Layer.of(TestImages.COSIGN_SIMPLE_SIGNING, payload)
        .annotate(SIGNATURE_ANNOTATION, Base64.getEncoder().encodeToString(sign(payload)));
  }

  /** An {@code .att} layer: an in-toto v1 statement about the pinned {@code image}, in a signed DSSE envelope. */
  public TestImages.Layer attestation(ImageReference image, String predicateType, String predicateJson) {
    byte[] statement = statement(image, predicateType, predicateJson);
    return TestImages.Layer.of(TestImages.DSSE_ENVELOPE, envelope(statement))
        .annotate(PREDICATE_TYPE_ANNOTATION, predicateType);
  }

  /** A DSSE envelope (JSON) with an in-toto payload and this key's signature over its PAE. */
  public byte[] envelope(byte[] statement) {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("payloadType", IN_TOTO_PAYLOAD_TYPE);
    envelope.put("payload", Base64.getEncoder().encodeToString(statement));
    envelope.putArray("signatures").addObject().put("keyid", "")
        .put("sig", Base64.getEncoder().encodeToString(sign(pae(IN_TOTO_PAYLOAD_TYPE, statement))));
    return bytes(envelope);
  }

  /** An in-toto v1 statement whose one subject is {@code registry/repository} with the image's digest. */
  public static byte[] statement(ImageReference image, String predicateType, String predicateJson) {
    Digest digest = Objects.requireNonNull(image.digest(), "a statement is about a pinned image");
    ObjectNode statement = JSON.createObjectNode();
    statement.put("_type", IN_TOTO_STATEMENT_V1);
    statement.putArray("subject").addObject().put("name", image.name())
        .putObject("digest").put(digest.algorithm(), digest.hex());
    statement.put("predicateType", predicateType);
    try {
      statement.set("predicate", JSON.readTree(predicateJson));
    } catch (JacksonException e) {
      throw new IllegalArgumentException("the predicate is not JSON: " + predicateJson, e);
    }
    return bytes(statement);
  }

  /** DSSE's pre-authentication encoding: {@code DSSEv1 <len> <type> <len> <body>}. */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
        .getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(head, head.length + payload.length);
    System.arraycopy(payload, 0, all, head.length, payload.length);
    return all;
  }

  /**
   * A promotion predicate ({@value #PROMOTION}) as DESIGN.md shows it; {@code promotedAt} is
   * written in whole seconds.
   */
  public static String promotion(String environment, Instant promotedAt, String approver) {
    ObjectNode p = JSON.createObjectNode();
    p.put("environment", environment);
    p.put("promotedAt", promotedAt.truncatedTo(ChronoUnit.SECONDS).toString());
    p.put("approver", approver);
    p.put("from", environment.equals("prod") ? "preprod" : "dev");
    p.put("change", "CHG-1234");
    p.put("pipelineRun", "https://ci.acme.example/runs/42");
    p.putObject("source").put("repository", "https://git.acme.example/shop/web").put("commit", "4f1c0de");
    return JSON.valueToTree(p).toString();
  }

  /** A SLSA provenance v1 predicate with this build type. */
  public static String slsaProvenance(String buildType) {
    ObjectNode p = JSON.createObjectNode();
    ObjectNode definition = p.putObject("buildDefinition");
    definition.put("buildType", buildType);
    definition.putObject("externalParameters").put("repository", "https://git.acme.example/shop/web");
    p.putObject("runDetails").putObject("builder").put("id", "https://ci.acme.example/builder");
    return p.toString();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] bytes(JsonNode node) {
    return JSON.writeValueAsBytes(node);
  }
}
