package dev.promgate.policy;

import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads what authorities trust through Sigstore and X.509: trusted roots, the transparency a key or
 * certificate-chain authority requires ({@code transparencyLog}, {@code trustedRoot}), keyless
 * authorities with their log and CT requirements, enterprise certificate chains, and identity rules
 * (issuer, subject, Fulcio certificate extensions).
 *
 * <p>Consistency is checked where it is written: a trusted root must hold what the authority's
 * requirements need (a Fulcio CA; a Rekor log unless {@code transparencyLog: ignored}, and then a
 * timestamp authority; a CT log unless {@code certificateTransparency: ignored}).
 */
final class SigstoreAuthoritiesReader {

  static final int MAX_CERTIFICATES_BYTES = 1 << 20;
  private static final int MAX_CERTIFICATES = 100;
  private static final List<String> REQUIREMENTS = List.of("required", "ignored");
  /** An exact identity value that looks like a regular expression was probably meant as one. */
  private static final Pattern REGEX_LOOKING = Pattern.compile("^\\^|\\\\|\\.[*+]|\\$$|\\(\\?");

  private final PolicyFile file;
  private final FileProblems problems;

  SigstoreAuthoritiesReader(PolicyFile file) {
    this.file = file;
    this.problems = file.problems;
  }

  // --- keyless -----------------------------------------------------------------------------

  Authority keyless(String name, Node node) {
    Fields keyless = Fields.of(node, PolicyShapes.KEYLESS, problems);
    if (keyless == null) {
      return null;
    }
    Boolean logRequired = requirement(keyless, "transparencyLog", true);
    Boolean sctRequired = requirement(keyless, "certificateTransparency", true);
    TrustedRoot root = null;
    Node rootNode = keyless.value("trustedRoot");
    if (rootNode != null) {
      root = trustedRoot(rootNode);
      // a TUF root not fetched yet is checked by verification, which names what it lacks
      if (root != null && root.available() && logRequired != null && sctRequired != null
          && !fitsKeyless(rootNode, root, keyless, logRequired, sctRequired)) {
        root = null;
      }
    }
    List<Authority.Identity> identities = identities(keyless, "identities", true);
    if (identities != null && identities.isEmpty()) {
      problems.at(keyless.value("identities"), "identities must list at least one {issuer, subject} pair;"
          + " without one, any Fulcio certificate would count");
    }
    if (name == null || root == null || identities == null || identities.isEmpty() || logRequired == null
        || sctRequired == null) {
      return null;
    }
    return new Authority.Keyless(name, root, identities, logRequired, sctRequired);
  }

  private boolean fitsKeyless(Node at, TrustedRoot root, Fields keyless, boolean logRequired, boolean sctRequired) {
    String prefix = "trustedRoot " + root.display();
    SigstoreTrustedRoot r = root.root();
    if (r.getCAs().isEmpty()) {
      problems.at(at, prefix + " has no certificate authorities; keyless signatures need a Fulcio CA");
      return false;
    }
    if (logRequired && r.getTLogs().isEmpty()) {
      problems.at(at, prefix + " has no transparency logs; keyless signatures need a Rekor log key, or, for a"
          + " Sigstore instance without one (GitHub's for private repositories), transparencyLog: ignored");
      return false;
    }
    if (!logRequired && r.getTSAs().isEmpty()) {
      problems.at(keyless.value("transparencyLog"), "transparencyLog: ignored needs timestamp authorities in the"
          + " trusted root to date signatures, and " + prefix + " has none");
      return false;
    }
    if (sctRequired && r.getCTLogs().isEmpty()) {
      problems.at(at, prefix + " has no CT logs to check certificate timestamps (SCTs) against; for a Sigstore"
          + " instance without one, set certificateTransparency: ignored");
      return false;
    }
    return true;
  }

  // --- transparency of key and certificate-chain authorities -------------------------------

  /**
   * {@code transparencyLog} and {@code trustedRoot} of a key or certificate-chain authority. The log
   * is required by default when a trusted root is given, and not looked at when none is.
   *
   * @return empty for no transparency; null when something is wrong (reported)
   */
  Optional<Authority.Transparency> transparency(Fields fields) {
    Node rootNode = fields.value("trustedRoot");
    Boolean logRequired = requirement(fields, "transparencyLog", rootNode != null);
    if (logRequired == null) {
      return null;
    }
    if (rootNode == null) {
      if (logRequired) {
        problems.at(fields.value("transparencyLog"), "transparencyLog: required needs trustedRoot: the Sigstore"
            + " trusted root whose Rekor logs the signatures must be in");
        return null;
      }
      return Optional.empty();
    }
    TrustedRoot root = trustedRoot(rootNode);
    if (root == null) {
      return null;
    }
    if (logRequired && root.available() && root.root().getTLogs().isEmpty()) {
      problems.at(rootNode, "trustedRoot " + root.display() + " has no transparency logs, and"
          + " transparencyLog is required");
      return null;
    }
    return Optional.of(new Authority.Transparency(root, logRequired));
  }

  /** A {@code required | ignored} key: true, false, {@code absent} when missing, null when wrong (reported). */
  private Boolean requirement(Fields fields, String key, boolean absent) {
    String text = fields.string(key);
    if (text == null) {
      return fields.value(key) == null ? absent : null;
    }
    if (!REQUIREMENTS.contains(text)) {
      problems.at(fields.value(key), key + " must be required or ignored, not \"" + text + "\""
          + Suggestions.didYouMean(text, REQUIREMENTS));
      return null;
    }
    return text.equals("required");
  }

  // --- trusted roots -----------------------------------------------------------------------

  /** A trusted root file or TUF repository; null when it cannot be used (reported). */
  TrustedRoot trustedRoot(Node node) {
    return new TrustedRootReader(file).read(node);
  }

  private static String rootCause(Throwable e) {
    return TrustedRootReader.rootCause(e);
  }

  // --- certificate chains ------------------------------------------------------------------

  Authority certificateChain(String name, Node node) {
    Fields chain = Fields.of(node, PolicyShapes.CERTIFICATE_CHAIN, problems);
    if (chain == null) {
      return null;
    }
    PolicyFile.ReadFile rootsFile = null;
    List<X509Certificate> roots = null;
    Node rootsNode = chain.value("roots");
    if (rootsNode != null) {
      rootsFile = file.readReferenced(rootsNode, "roots", MAX_CERTIFICATES_BYTES);
      roots = rootsFile == null ? null : certificates(rootsNode, "roots", rootsFile);
    }
    List<X509Certificate> intermediates = List.of();
    Node intermediatesNode = chain.value("intermediates");
    if (intermediatesNode != null) {
      PolicyFile.ReadFile read = file.readReferenced(intermediatesNode, "intermediates", MAX_CERTIFICATES_BYTES);
      intermediates = read == null ? null : certificates(intermediatesNode, "intermediates", read);
    }
    List<Authority.Identity> identities = chain.value("identities") == null ? List.of()
        : identities(chain, "identities", false);
    Optional<Authority.Transparency> transparency = transparency(chain);
    if (name == null || roots == null || intermediates == null || identities == null || transparency == null) {
      return null;
    }
    return new Authority.CertificateChain(name, roots, intermediates, rootsFile.display(),
        fingerprint(roots, intermediates), identities, transparency);
  }

  /** The PEM certificates of a file; null when there are none or they cannot be read (reported). */
  private List<X509Certificate> certificates(Node node, String key, PolicyFile.ReadFile read) {
    List<X509Certificate> certificates = new ArrayList<>();
    if (!new String(read.bytes(), java.nio.charset.StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      problems.at(node, key + " " + read.display() + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
      return null;
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (var c : factory.generateCertificates(new ByteArrayInputStream(read.bytes()))) {
        certificates.add((X509Certificate) c);
      }
    } catch (CertificateException | RuntimeException e) {
      problems.at(node, key + " " + read.display() + " holds something that is not a PEM certificate: " + rootCause(e));
      return null;
    }
    if (certificates.isEmpty()) {
      problems.at(node, key + " " + read.display() + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
      return null;
    }
    if (certificates.size() > MAX_CERTIFICATES) {
      problems.at(node, key + " " + read.display() + " holds more than " + MAX_CERTIFICATES + " certificates");
      return null;
    }
    for (X509Certificate c : certificates) {
      if (c.getBasicConstraints() < 0) {
        problems.at(node, key + " " + read.display() + " holds " + c.getSubjectX500Principal().getName()
            + ", which is not a CA certificate (basic constraints); list the CAs that issue signing certificates");
        return null;
      }
    }
    return List.copyOf(certificates);
  }

  private static String fingerprint(List<X509Certificate> roots, List<X509Certificate> intermediates) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (List<X509Certificate> list : List.of(roots, intermediates)) {
        sha.update((byte) list.size());
        for (X509Certificate c : list) {
          sha.update(c.getEncoded());
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot digest certificates", e);
    }
  }

  // --- identities --------------------------------------------------------------------------

  /**
   * @param fulcio whether these are Fulcio identities (issuer and subject required) or
   *               enterprise-certificate identities (every key optional, at least one present)
   * @return null when something is wrong (reported)
   */
  private List<Authority.Identity> identities(Fields owner, String key, boolean fulcio) {
    List<Node> nodes = owner.list(key);
    if (nodes == null) {
      return null;
    }
    List<Authority.Identity> identities = new ArrayList<>();
    boolean ok = true;
    for (Node node : nodes) {
      Authority.Identity id = identity(node, fulcio);
      if (id == null) {
        ok = false;
      } else {
        identities.add(id);
      }
    }
    return ok ? List.copyOf(identities) : null;
  }

  private Authority.Identity identity(Node node, boolean fulcio) {
    Fields id = Fields.of(node, fulcio ? PolicyShapes.IDENTITY : PolicyShapes.CERTIFICATE_IDENTITY, problems);
    if (id == null) {
      return null;
    }
    Optional<Authority.ValueMatch> issuer = match(id, node, "issuer", fulcio);
    Optional<Authority.ValueMatch> subject = match(id, node, "subject", fulcio);
    Map<CertificateExtension, Authority.ValueMatch> extensions = new EnumMap<>(CertificateExtension.class);
    boolean ok = issuer != null && subject != null;
    for (CertificateExtension e : CertificateExtension.values()) {
      Optional<Authority.ValueMatch> m = match(id, node, e.policyName(), false);
      if (m == null) {
        ok = false;
      } else {
        m.ifPresent(v -> extensions.put(e, v));
      }
    }
    if (!ok) {
      return null;
    }
    if (!fulcio && issuer.isEmpty() && subject.isEmpty() && extensions.isEmpty()) {
      problems.at(node, "identity needs subject or subjectRegExp (a name of the certificate: email, URI, DNS name"
          + " or subject DN), issuer or issuerRegExp, or a certificate extension");
      return null;
    }
    return new Authority.Identity(issuer.flatMap(Authority.ValueMatch::exact), issuer.flatMap(Authority.ValueMatch::regExp),
        subject.flatMap(Authority.ValueMatch::exact), subject.flatMap(Authority.ValueMatch::regExp), extensions);
  }

  /**
   * {@code key} (exact) or {@code keyRegExp} (anchored regular expression).
   *
   * @return empty when neither is given and none is required; null when wrong (reported)
   */
  private Optional<Authority.ValueMatch> match(Fields id, Node node, String key, boolean required) {
    String patternKey = key + "RegExp";
    Node exactNode = id.value(key);
    Node patternNode = id.value(patternKey);
    if (exactNode != null && patternNode != null) {
      problems.at(id.keyNode(patternKey), "give either " + key + " or " + patternKey + ", not both");
      return null;
    }
    if (exactNode == null && patternNode == null) {
      if (required) {
        problems.at(node, "identity needs " + key + " (exact) or " + patternKey + " (regular expression)");
        return null;
      }
      return Optional.empty();
    }
    if (exactNode != null) {
      String exact = Fields.string(exactNode, key, problems);
      if (exact == null) {
        return null;
      }
      if (exact.isEmpty()) {
        problems.at(exactNode, key + " must not be empty");
        return null;
      }
      if (REGEX_LOOKING.matcher(exact).find()) {
        problems.at(exactNode, key + " \"" + exact + "\" is compared exactly but looks like a regular"
            + " expression; write " + patternKey + " if you mean one");
        return null;
      }
      return Optional.of(new Authority.ValueMatch(Optional.of(exact), Optional.empty()));
    }
    String regex = Fields.string(patternNode, patternKey, problems);
    if (regex == null) {
      return null;
    }
    if (regex.isEmpty()) {
      problems.at(patternNode, patternKey + " must not be empty");
      return null;
    }
    try {
      // Matched with Matcher.matches(): the whole value, as if wrapped in ^…$.
      return Optional.of(new Authority.ValueMatch(Optional.empty(), Optional.of(Pattern.compile(regex))));
    } catch (PatternSyntaxException e) {
      problems.at(patternNode, patternKey + " is not a valid regular expression: " + e.getDescription()
          + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
      return null;
    }
  }
}
