package dev.promgate.verification;

import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.trustroot.CertificateAuthority;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a signing certificate chains to trusted roots at a given time (RFC 5280 path validation
 * with the JDK's PKIX builder, revocation not checked: neither Fulcio nor cosign's BYO-PKI mode
 * publishes revocation data), and whether it may sign code at all: a key usage extension, if
 * present, must allow digital signatures, and an extended key usage extension, if present, must
 * allow code signing; so must that of every CA above it, which constrains what it issues for (as
 * Go's x509 verifier, which cosign uses, nests them: a CA for TLS servers cannot vouch for a code
 * signature, even with a leaf that names no usage).
 *
 * <p>Two callers: private-CA authorities (the enterprise roots and intermediates of the policy, plus
 * the chain the signature carries), and Fulcio certificates of a trusted root checked without a
 * signed certificate timestamp (GitHub's Sigstore instance has no CT log).
 */
final class CertificateChains {

  private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
  private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
  private static final int DIGITAL_SIGNATURE = 0;
  /** Longer paths than this are not built: a signature's chain annotation is attacker-controlled. */
  private static final int MAX_PATH_LENGTH = 8;

  private CertificateChains() {}

  /**
   * Validates {@code leaf} up to one of {@code roots} at {@code at}.
   *
   * @param untrusted intermediates that may help build the path (from the policy and the signature)
   * @param rootsName how messages name the roots
   * @return the validated path, leaf first, ending with the root it chains to
   * @throws Invalid saying why not
   */
  static List<X509Certificate> validate(X509Certificate leaf, Collection<X509Certificate> untrusted,
                                        Collection<X509Certificate> roots, Instant at, String rootsName) throws Invalid {
    requireCodeSigning(leaf);
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate root : roots) {
      anchors.add(new TrustAnchor(root, null));
    }
    if (anchors.isEmpty()) {
      throw new Invalid("there are no " + rootsName + " to check its certificate against");
    }
    Set<X509Certificate> pool = new LinkedHashSet<>(untrusted);
    pool.add(leaf);
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(at));
      parameters.setMaxPathLength(MAX_PATH_LENGTH);
      parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
      PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(parameters);
      List<X509Certificate> path = new ArrayList<>();
      for (var c : result.getCertPath().getCertificates()) {
        path.add((X509Certificate) c);
      }
      path.add(result.getTrustAnchor().getTrustedCert());
      for (X509Certificate issuer : path.subList(1, path.size())) {
        if (!allowsCodeSigning(issuer)) {
          throw new Invalid("its certificate (" + subject(leaf) + ") is issued under " + subject(issuer)
              + ", whose extended key usage does not allow code signing");
        }
      }
      return path;
    } catch (CertPathBuilderException e) {
      throw new Invalid("its certificate (" + subject(leaf) + ", issued by " + leaf.getIssuerX500Principal().getName()
          + ") does not chain to the " + rootsName + " at " + at + ": " + reason(e));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new Invalid("its certificate chain cannot be checked: " + FailureBoundary.describe(e));
    }
  }

  /**
   * A Fulcio certificate without checking its SCT: it chains to a certificate authority of the trusted
   * root that was valid when the certificate was issued, checked at that time (as sigstore-java's
   * {@code FulcioVerifier} does before it looks for the SCT).
   */
  static void validateFulcio(List<X509Certificate> certificates, TrustMaterial trust) throws Invalid {
    X509Certificate leaf = certificates.get(0);
    Instant issued = leaf.getNotBefore().toInstant();
    List<String> problems = new ArrayList<>();
    for (CertificateAuthority ca : trust.root().getCAs()) {
      if (!ca.getValidFor().contains(issued)) {
        continue;
      }
      List<X509Certificate> chain = new ArrayList<>();
      for (var c : ca.getCertPath().getCertificates()) {
        chain.add((X509Certificate) c);
      }
      if (chain.isEmpty()) {
        continue;
      }
      List<X509Certificate> untrusted = new ArrayList<>(chain.subList(0, chain.size() - 1));
      untrusted.addAll(certificates.subList(1, certificates.size()));
      try {
        validate(leaf, untrusted, List.of(chain.get(chain.size() - 1)), issued, "certificate authority " + ca.getUri());
        return;
      } catch (Invalid e) {
        problems.add(e.getMessage());
      }
    }
    throw new Invalid(problems.isEmpty()
        ? "its certificate was issued at " + issued + ", when no certificate authority of the "
            + trust.description() + " was valid"
        : problems.get(0));
  }

  private static void requireCodeSigning(X509Certificate leaf) throws Invalid {
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && (usage.length <= DIGITAL_SIGNATURE || !usage[DIGITAL_SIGNATURE])) {
      throw new Invalid("its certificate (" + subject(leaf) + ") may not make digital signatures (key usage)");
    }
    if (!allowsCodeSigning(leaf)) {
      throw new Invalid("its certificate (" + subject(leaf) + ") is not for code signing (extended key usage "
          + extendedKeyUsage(leaf) + ")");
    }
  }

  /** Whether a certificate names no extended key usage, or code signing (or any) among them. */
  private static boolean allowsCodeSigning(X509Certificate certificate) throws Invalid {
    List<String> extended = extendedKeyUsage(certificate);
    return extended == null || extended.contains(CODE_SIGNING) || extended.contains(ANY_EXTENDED_KEY_USAGE);
  }

  private static List<String> extendedKeyUsage(X509Certificate certificate) throws Invalid {
    try {
      return certificate.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new Invalid("the extended key usage of " + subject(certificate) + " cannot be read");
    }
  }

  private static String reason(CertPathBuilderException e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return message.length() > 200 ? message.substring(0, 197) + "..." : message;
  }

  static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}
