package dev.promgate.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Keys, certificates and PEM files for the tests, made with the same issuer the product uses. */
final class TestPki {

  static final Instant NOW = Instant.now();
  static final Instant YESTERDAY = NOW.minus(Duration.ofDays(1));
  static final Instant NEXT_YEAR = NOW.plus(Duration.ofDays(365));

  private TestPki() {}

  static CertificateIssuer.Issued ca() {
    return CertificateIssuer.selfSignedCa("test CA", CertificateIssuer.newP256KeyPair(), YESTERDAY, NEXT_YEAR);
  }

  static KeyPair keyPair(String algorithm, int rsaBits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("RSA")) {
        generator.initialize(rsaBits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static X509Certificate leaf(CertificateIssuer.Issued ca, PublicKey key) {
    return leaf(ca, key, YESTERDAY, NEXT_YEAR);
  }

  static X509Certificate leaf(CertificateIssuer.Issued ca, PublicKey key, Instant notBefore, Instant notAfter) {
    return CertificateIssuer.serving(ca, key, List.of("localhost"), List.of("127.0.0.1"), notBefore, notAfter);
  }

  /** A certificate with only what the arguments ask for: no SAN unless {@code san}, the given EKU if any. */
  static X509Certificate bare(CertificateIssuer.Issued ca, PublicKey key, boolean san, KeyPurposeId eku) {
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), BigInteger.TEN,
          Date.from(YESTERDAY), Date.from(NEXT_YEAR), new X500Name("CN=localhost"), key);
      if (san) {
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
      }
      if (eku != null) {
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] certificatePem(X509Certificate... chain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (X509Certificate certificate : chain) {
      try {
        out.write(Pem.encode("CERTIFICATE", certificate.getEncoded()));
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return out.toByteArray();
  }

  /** {@code -----BEGIN PRIVATE KEY-----}. */
  static byte[] pkcs8(PrivateKey key) {
    return Pem.encode("PRIVATE KEY", key.getEncoded());
  }

  /**
   * OpenSSL's traditional form: {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC 1,
   * naming its curve as OpenSSL always does; BouncyCastle's writer leaves the curve out).
   */
  static byte[] traditional(PrivateKey key) {
    if (key instanceof java.security.interfaces.ECPrivateKey) {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
      try {
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey named = new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
            info.getPrivateKeyAlgorithm().getParameters());
        return Pem.encode("EC PRIVATE KEY", named.getEncoded());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JcaPEMWriter writer = new JcaPEMWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII))) {
      writer.writeObject(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static void write(Path directory, byte[] certificatePem, byte[] keyPem) {
    try {
      Files.createDirectories(directory);
      Files.write(directory.resolve(ServingCertificate.CERTIFICATE_FILE), certificatePem);
      Files.write(directory.resolve(ServingCertificate.KEY_FILE), keyPem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
