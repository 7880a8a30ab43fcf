package dev.promgate.verification;

import dev.promgate.policy.Authority;
import dev.promgate.policy.CertificateExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * Who a signing certificate was issued to. For a Fulcio certificate: its one subject alternative
 * name (an email address or a URI, such as a CI workflow), the OIDC issuer that vouched for it, read
 * from extension 1.3.6.1.4.1.57264.1.8 (a DER string) or from the older 1.3.6.1.4.1.57264.1.1 (raw
 * bytes) that certificates before 2023 carry, and its other Fulcio extensions (source repository,
 * workflow ref, runner environment, …). This is the same reading as sigstore-java's
 * {@code FulcioCertificateMatcher}, done once here so that legacy cosign signatures and Sigstore
 * bundles are matched against {@link Authority.Identity} in exactly the same way. For an enterprise
 * certificate ({@link #ofEnterprise}): every email, URI and DNS name and the subject's distinguished
 * name, any of which an identity's subject may match.
 *
 * @param subject    the name shown in messages and evidence
 * @param issuer     the OIDC issuer; null when an enterprise certificate has none
 * @param names      every name an identity's subject may match
 * @param extensions the Fulcio extensions present, by name
 */
record CertificateIdentity(String subject, String issuer, List<String> names,
                           Map<CertificateExtension, String> extensions) {

  static final String ISSUER_OID = "1.3.6.1.4.1.57264.1.8";
  static final String ISSUER_OID_V1 = "1.3.6.1.4.1.57264.1.1";
  private static final int SAN_EMAIL = 1;
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;
  /** An extension value longer than this is not a name anyone writes a rule for. */
  private static final int MAX_EXTENSION_LENGTH = 4096;

  CertificateIdentity {
    names = List.copyOf(names);
    extensions = Map.copyOf(extensions);
  }

  /** A Fulcio certificate: exactly one email or URI SAN and an OIDC issuer. */
  static CertificateIdentity of(X509Certificate certificate) throws Invalid {
    Collection<List<?>> names = alternativeNames(certificate);
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
    String san = (String) name.get(1);
    String issuer = issuer(certificate)
        .orElseThrow(() -> new Invalid("the certificate names no OIDC issuer (extension " + ISSUER_OID + " or "
            + ISSUER_OID_V1 + ")"));
    return new CertificateIdentity(san, issuer, List.of(san), extensions(certificate));
  }

  /**
   * A certificate of an enterprise CA: its email, URI and DNS names and its subject's distinguished
   * name (RFC 2253), and an OIDC issuer and Fulcio extensions if it happens to carry them.
   */
  static CertificateIdentity ofEnterprise(X509Certificate certificate) throws Invalid {
    List<String> names = new ArrayList<>();
    Collection<List<?>> alternative = alternativeNames(certificate);
    if (alternative != null) {
      for (List<?> name : alternative) {
        int type = (Integer) name.get(0);
        if ((type == SAN_EMAIL || type == SAN_URI || type == SAN_DNS) && name.get(1) instanceof String value) {
          names.add(value);
        }
      }
    }
    String dn = certificate.getSubjectX500Principal().getName();
    String shown = names.isEmpty() ? dn : names.get(0);
    names.add(dn);
    return new CertificateIdentity(shown, issuer(certificate).orElse(null), names, extensions(certificate));
  }

  boolean matches(Authority.Identity identity) {
    return identity.matches(Optional.ofNullable(issuer), names, e -> Optional.ofNullable(extensions.get(e)));
  }

  private static Collection<List<?>> alternativeNames(X509Certificate certificate) throws Invalid {
    try {
      return certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new Invalid("the certificate's subject alternative name cannot be read");
    }
  }

  private static Optional<String> issuer(X509Certificate certificate) throws Invalid {
    try {
      byte[] current = certificate.getExtensionValue(ISSUER_OID);
      if (current != null) {
        return Optional.of(derString(current, ISSUER_OID));
      }
      byte[] legacy = certificate.getExtensionValue(ISSUER_OID_V1);
      if (legacy != null) {
        return Optional.of(new String(ASN1OctetString.getInstance(legacy).getOctets(), StandardCharsets.UTF_8));
      }
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      throw new Invalid("the certificate's OIDC issuer extension cannot be read");
    }
  }

  /** The Fulcio extensions present; one that cannot be read is left out, so no rule on it can match. */
  private static Map<CertificateExtension, String> extensions(X509Certificate certificate) {
    Map<CertificateExtension, String> values = new EnumMap<>(CertificateExtension.class);
    for (CertificateExtension e : CertificateExtension.values()) {
      byte[] value = certificate.getExtensionValue(e.oid());
      if (value == null) {
        continue;
      }
      try {
        String text = e.derString() ? derString(value, e.oid())
            : new String(ASN1OctetString.getInstance(value).getOctets(), StandardCharsets.UTF_8);
        if (text.length() <= MAX_EXTENSION_LENGTH) {
          values.put(e, text);
        }
      } catch (Invalid | IllegalArgumentException unreadable) {
        // not a string: no identity rule can match it
      }
    }
    return values;
  }

  private static String derString(byte[] extensionValue, String oid) throws Invalid {
    try {
      ASN1Primitive value = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extensionValue).getOctets());
      if (value instanceof ASN1String s) {
        return s.getString();
      }
    } catch (IOException | RuntimeException e) {
      throw new Invalid("the certificate's extension " + oid + " cannot be read");
    }
    throw new Invalid("the certificate's extension " + oid + " is not a string");
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
    return issuer == null ? subject : subject + " (issuer " + issuer + ")";
  }
}
