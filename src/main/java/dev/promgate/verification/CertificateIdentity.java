package dev.promgate.verification;

import dev.promgate.policy.Authority;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * Who a Fulcio certificate was issued to: its one subject alternative name (an email address or a
 * URI, such as a CI workflow) and the OIDC issuer that vouched for it. The issuer is read from
 * extension 1.3.6.1.4.1.57264.1.8 (a DER string), or from the older 1.3.6.1.4.1.57264.1.1 (raw
 * bytes) that certificates before 2023 carry. This is the same reading as sigstore-java's
 * {@code FulcioCertificateMatcher}, done once here so that legacy cosign signatures and Sigstore
 * bundles are matched against {@link Authority.Identity} in exactly the same way.
 */
record CertificateIdentity(String subject, String issuer) {

  static final String ISSUER_OID = "1.3.6.1.4.1.57264.1.8";
  static final String ISSUER_OID_V1 = "1.3.6.1.4.1.57264.1.1";
  private static final int SAN_EMAIL = 1;
  private static final int SAN_URI = 6;

  static CertificateIdentity of(X509Certificate certificate) throws Invalid {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new Invalid("the certificate's subject alternative name cannot be read");
    }
    if (names == null || names.isEmpty()) {
      throw new Invalid("the certificate has no subject alternative name, so it names no identity");
    }
    if (names.size() > 1) {
      throw new Invalid("the certificate has " + names.size()
          + " subject alternative names; a Fulcio certificate has exactly one");
    }
    List<?> name = names.iterator().next();
    int type = (Integer) name.get(0);
    if (type != SAN_EMAIL && type != SAN_URI) {
      throw new Invalid("the certificate's subject alternative name is neither an email address nor a URI");
    }
    return new CertificateIdentity((String) name.get(1), issuer(certificate));
  }

  boolean matches(Authority.Identity identity) {
    return identity.matches(issuer, subject);
  }

  private static String issuer(X509Certificate certificate) throws Invalid {
    try {
      byte[] current = certificate.getExtensionValue(ISSUER_OID);
      if (current != null) {
        ASN1Primitive value = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(current).getOctets());
        if (value instanceof ASN1String s) {
          return s.getString();
        }
        throw new Invalid("the certificate's issuer extension " + ISSUER_OID + " is not a string");
      }
      byte[] legacy = certificate.getExtensionValue(ISSUER_OID_V1);
      if (legacy != null) {
        return new String(ASN1OctetString.getInstance(legacy).getOctets(), StandardCharsets.UTF_8);
      }
    } catch (IOException | RuntimeException e) {
      throw new Invalid("the certificate's OIDC issuer extension cannot be read");
    }
    throw new Invalid("the certificate names no OIDC issuer (extension " + ISSUER_OID + " or "
        + ISSUER_OID_V1 + ")");
  }

  /** Parses every PEM CERTIFICATE block of {@code pem}, in order. */
  static List<X509Certificate> parsePem(String pem, String what) throws Invalid {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new Invalid(what + " holds no PEM certificate");
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certificates = new ArrayList<>();
      for (var c : factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        certificates.add((X509Certificate) c);
      }
      if (certificates.isEmpty()) {
        throw new Invalid(what + " holds no certificate");
      }
      return certificates;
    } catch (CertificateException | RuntimeException e) {
      throw new Invalid(what + " is not a valid PEM certificate");
    }
  }

  /** Parses one DER certificate. */
  static X509Certificate parseDer(byte[] der, String what) throws Invalid {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new Invalid(what + " is not a valid certificate");
    }
  }

  @Override
  public String toString() {
    return subject + " (issuer " + issuer + ")";
  }
}
