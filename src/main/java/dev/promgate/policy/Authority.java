package dev.promgate.policy;

import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Someone whose signature counts: a key, keyless identities certified by a Sigstore trusted root,
 * or certificates of an enterprise CA. Authorities are declared per {@link PromotionPolicy} and
 * referred to by name.
 */
public sealed interface Authority
    permits Authority.Key, Authority.Keyless, Authority.CertificateChain, NotationAuthority {

  String name();

  /**
   * A public key (ECDSA P-256/P-384, RSA, Ed25519).
   *
   * @param source       where the key came from ({@code keys/ci.pub} or {@code inline}), for messages
   * @param fingerprint  sha256 of the key's DER encoding, hex
   * @param transparency the log the signature must be in ({@code transparencyLog: required}), if any
   */
  record Key(String name, PublicKey publicKey, String source, String fingerprint,
             Optional<Transparency> transparency) implements Authority {

    /** A key whose signatures are not looked up in a transparency log. */
    public Key(String name, PublicKey publicKey, String source, String fingerprint) {
      this(name, publicKey, source, fingerprint, Optional.empty());
    }

    @Override
    public String toString() {
      return name + " (key " + source + ")";
    }
  }

  /**
   * Fulcio-certified identities, with the trust material of a Sigstore trusted root.
   *
   * @param transparencyLogRequired         whether a signature must be in one of the root's
   *                                        transparency logs; when not, a timestamp of one of its
   *                                        timestamp authorities must show when it was signed
   *                                        (GitHub's Sigstore instance for private repositories)
   * @param certificateTransparencyRequired whether the certificate must carry an SCT of one of the
   *                                        root's CT logs
   */
  record Keyless(String name, TrustedRoot root, List<Identity> identities, boolean transparencyLogRequired,
                 boolean certificateTransparencyRequired) implements Authority {

    /** Public-good Sigstore's defaults: a log entry and an SCT are required. */
    public Keyless(String name, Path trustedRootFile, SigstoreTrustedRoot trustedRoot, String trustedRootDigest,
                   List<Identity> identities) {
      this(name, new TrustedRoot(trustedRootFile, trustedRoot, trustedRootDigest), identities, true, true);
    }

    public Path trustedRootFile() {
      return root.file();
    }

    public SigstoreTrustedRoot trustedRoot() {
      return root.root();
    }

    public String trustedRootDigest() {
      return root.digest();
    }

    @Override
    public String toString() {
      return name + " (keyless " + identities + ")";
    }
  }

  /**
   * Certificates issued by an enterprise CA ({@code cosign sign --certificate … --certificate-chain
   * …}): the signing certificate must chain to one of {@code roots}, through {@code intermediates}
   * or the chain the signature carries, and be valid when it signed.
   *
   * @param source       the roots file as named in the policy, for messages
   * @param fingerprint  sha256 over the roots' and intermediates' DER encodings, hex
   * @param identities   the accepted certificate identities; empty means any certificate of the roots
   * @param transparency the log the signature must be in, or the trusted root whose timestamp
   *                     authorities may show when it was signed; without it, the certificate must be
   *                     valid now
   */
  record CertificateChain(String name, List<X509Certificate> roots, List<X509Certificate> intermediates,
                          String source, String fingerprint, List<Identity> identities,
                          Optional<Transparency> transparency) implements Authority {

    public CertificateChain {
      roots = List.copyOf(roots);
      intermediates = List.copyOf(intermediates);
      identities = List.copyOf(identities);
    }

    @Override
    public String toString() {
      return name + " (certificate chain " + source + (identities.isEmpty() ? "" : " " + identities) + ")";
    }
  }

  /**
   * The Sigstore trusted root a key or certificate-chain authority checks log entries and timestamps
   * against.
   *
   * @param logRequired whether a log entry is required ({@code transparencyLog: required}); when
   *                    false the root serves only to check timestamps
   */
  record Transparency(TrustedRoot root, boolean logRequired) {}

  /**
   * An accepted certificate identity. Issuer and subject are each matched exactly or by a fully
   * anchored regular expression; for keyless authorities exactly one of each pair is present, for
   * certificate chains either may be absent (then anything matches). Fulcio certificate extensions
   * named in {@code extensions} must be present and match too.
   */
  record Identity(Optional<String> issuer, Optional<Pattern> issuerRegExp,
                  Optional<String> subject, Optional<Pattern> subjectRegExp,
                  Map<CertificateExtension, ValueMatch> extensions) {

    public Identity {
      extensions = Map.copyOf(extensions);
    }

    public Identity(Optional<String> issuer, Optional<Pattern> issuerRegExp,
                    Optional<String> subject, Optional<Pattern> subjectRegExp) {
      this(issuer, issuerRegExp, subject, subjectRegExp, Map.of());
    }

    /** A Fulcio certificate's identity: its one SAN and its OIDC issuer, without extensions. */
    public boolean matches(String certIssuer, String certSubject) {
      return matches(Optional.ofNullable(certIssuer), List.of(certSubject == null ? "" : certSubject), e -> Optional.empty())
          && extensions.isEmpty();
    }

    /**
     * @param certIssuer   the certificate's OIDC issuer extension, if any
     * @param certSubjects every name the certificate was issued to; the rule's subject must match one
     * @param extension    the certificate's value of a Fulcio extension, if present
     */
    public boolean matches(Optional<String> certIssuer, List<String> certSubjects,
                           Function<CertificateExtension, Optional<String>> extension) {
      if ((issuer.isPresent() || issuerRegExp.isPresent())
          && !new ValueMatch(issuer, issuerRegExp).matches(certIssuer.orElse(null))) {
        return false;
      }
      if (subject.isPresent() || subjectRegExp.isPresent()) {
        ValueMatch s = new ValueMatch(subject, subjectRegExp);
        if (certSubjects.stream().noneMatch(s::matches)) {
          return false;
        }
      }
      for (Map.Entry<CertificateExtension, ValueMatch> e : extensions.entrySet()) {
        if (!e.getValue().matches(extension.apply(e.getKey()).orElse(null))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder("{");
      if (issuer.isPresent() || issuerRegExp.isPresent()) {
        s.append("issuer ").append(new ValueMatch(issuer, issuerRegExp));
      }
      if (subject.isPresent() || subjectRegExp.isPresent()) {
        s.append(s.length() > 1 ? ", " : "").append("subject ").append(new ValueMatch(subject, subjectRegExp));
      }
      extensions.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> s.append(s.length() > 1 ? ", " : "").append(e.getKey().policyName()).append(' ').append(e.getValue()));
      return s.append('}').toString();
    }
  }

  /** A value matched exactly, or by a regular expression that must match all of it. */
  record ValueMatch(Optional<String> exact, Optional<Pattern> regExp) {

    public boolean matches(String value) {
      if (value == null) {
        return false;
      }
      if (exact.isPresent()) {
        return exact.get().equals(value);
      }
      return regExp.map(p -> p.matcher(value).matches()).orElse(false);
    }

    @Override
    public String toString() {
      return exact.orElseGet(() -> "~" + regExp.map(Pattern::pattern).orElse("?"));
    }
  }
}
