package dev.promgate.notation;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Notary Project signature envelope (JWS or COSE_Sign1), parsed into the parts every check
 * needs; its signature is checked by {@link #verifySignature()}, nothing else is trusted yet.
 *
 * @param format         {@code JWS} or {@code COSE}, for messages
 * @param algorithm      the signature algorithm the envelope names: PS256/384/512, ES256/384/512
 * @param signingInput   the exact bytes the signature covers (JWS signing input, COSE Sig_structure)
 * @param signature      the signature bytes (for ECDSA, r||s as both formats write it)
 * @param payload        the signed payload (the target-artifact JSON)
 * @param contentType    the payload's content type from the protected header
 * @param signingScheme  {@code notary.x509} or {@code notary.x509.signingAuthority}
 * @param signingTime    the signing time, or for the signingAuthority scheme the authentic signing time
 * @param expiry         when the signature stops counting, if the signer said
 * @param chain          the certificate chain, leaf first
 * @param timestampToken the RFC 3161 countersignature over {@code signature}, if any
 */
record Envelope(String format, String algorithm, byte[] signingInput, byte[] signature, byte[] payload,
                String contentType, String signingScheme, Instant signingTime, Optional<Instant> expiry,
                List<X509Certificate> chain, Optional<byte[]> timestampToken) {

  static final String SCHEME_X509 = "notary.x509";
  static final String SCHEME_SIGNING_AUTHORITY = "notary.x509.signingAuthority";
  static final String PAYLOAD_TYPE = "application/vnd.cncf.notary.payload.v1+json";

  static final String SIGNING_SCHEME = "io.cncf.notary.signingScheme";
  static final String SIGNING_TIME = "io.cncf.notary.signingTime";
  static final String AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
  static final String EXPIRY = "io.cncf.notary.expiry";
  static final String TIMESTAMP_SIGNATURE = "io.cncf.notary.timestampSignature";

  /** The most certificates a chain may hold: real chains have two to four. */
  static final int MAX_CHAIN = 10;

  /**
   * Reads an envelope of a media type.
   *
   * @throws Failure (integrity) when it cannot be read or breaks the envelope rules
   */
  static Envelope parse(String mediaType, byte[] bytes) throws Failure {
    return switch (mediaType == null ? "" : mediaType) {
      case NotationVerifier.JWS -> JwsEnvelope.parse(bytes);
      case NotationVerifier.COSE -> CoseEnvelope.parse(bytes);
      default -> throw Failure.integrity("the envelope's media type " + (mediaType == null ? "(none)" : mediaType)
          + " is neither " + NotationVerifier.JWS + " nor " + NotationVerifier.COSE);
    };
  }

  /** The leaf certificate: the signer. */
  X509Certificate leaf() {
    return chain.get(0);
  }

  /**
   * Checks the header rules both formats share, then that the leaf's key made the signature with
   * the algorithm its key size calls for (RSA 2048/3072/4096 → PS256/384/512, ECDSA P-256/384/521
   * → ES256/384/512), as notation-core-go requires.
   */
  void verifySignature() throws Failure {
    if (!PAYLOAD_TYPE.equals(contentType)) {
      throw Failure.integrity("the payload content type is " + contentType + ", not " + PAYLOAD_TYPE);
    }
    if (expiry.isPresent() && !expiry.get().isAfter(signingTime)) {
      throw Failure.integrity("the expiry " + expiry.get() + " is not after the signing time " + signingTime);
    }
    String expected = algorithmFor(leaf().getPublicKey());
    if (!algorithm.equals(expected)) {
      throw Failure.integrity("the envelope says " + algorithm + " but the signing certificate's key calls for "
          + expected);
    }
    if (!verifies(leaf().getPublicKey(), algorithm, signingInput, signature)) {
      throw Failure.integrity("the " + format + " signature does not verify with the signing certificate's key");
    }
  }

  /** The algorithm a signing key must use, or a description of why there is none. */
  static String algorithmFor(PublicKey key) throws Failure {
    if (key instanceof RSAPublicKey rsa) {
      return switch (rsa.getModulus().bitLength()) {
        case 2048 -> "PS256";
        case 3072 -> "PS384";
        case 4096 -> "PS512";
        default -> throw Failure.integrity("RSA key size " + rsa.getModulus().bitLength() + " bits is not supported");
      };
    }
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return switch (bits) {
        case 256 -> "ES256";
        case 384 -> "ES384";
        case 521 -> "ES512";
        default -> throw Failure.integrity("ECDSA key size " + bits + " bits is not supported");
      };
    }
    throw Failure.integrity("the signing certificate's key is neither RSA nor ECDSA");
  }

  private static boolean verifies(PublicKey key, String algorithm, byte[] message, byte[] signature) {
    String hash = "SHA-" + algorithm.substring(2);
    int hashLength = Integer.parseInt(algorithm.substring(2)) / 8;
    try {
      Signature verifier;
      if (algorithm.startsWith("PS")) {
        verifier = Signature.getInstance("RSASSA-PSS");
        verifier.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), hashLength, 1));
      } else {
        verifier = Signature.getInstance(hash.replace("-", "") + "withECDSAinP1363Format");
      }
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** DER certificates, leaf first; at least one, at most {@value #MAX_CHAIN}. */
  static List<X509Certificate> certificates(List<byte[]> der, String format) throws Failure {
    if (der.isEmpty()) {
      throw Failure.integrity("the " + format + " envelope has no certificate chain");
    }
    if (der.size() > MAX_CHAIN) {
      throw Failure.integrity("the " + format + " envelope's certificate chain has " + der.size()
          + " certificates, more than " + MAX_CHAIN);
    }
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (byte[] d : der) {
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(d)));
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw Failure.integrity("a certificate of the " + format + " envelope's chain cannot be read");
    }
    return List.copyOf(chain);
  }
}
