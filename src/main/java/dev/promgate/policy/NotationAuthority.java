package dev.promgate.policy;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Notary Project signers (Notation, as ACR/AKS image integrity, AWS Signer and Ratify use it):
 * JWS or COSE envelopes attached as OCI referrers of artifact type
 * {@code application/vnd.cncf.notary.signature}, trusted through X.509 trust stores, as a
 * Notation trust policy statement with level {@code strict} would trust them.
 *
 * @param ca                 trusted certificates for the {@code notary.x509} signing scheme (trust store type {@code ca})
 * @param signingAuthority   trusted certificates for {@code notary.x509.signingAuthority}
 * @param timestampAuthorities TSA roots for RFC 3161 countersignatures; empty means timestamps are not checked
 *                           and the signing chain must be valid now, as in Notation without a {@code tsa} store
 * @param verifyTimestamp    when a timestamp is required (with TSA roots): always, or only once the chain expired
 * @param trustedIdentities  {@code x509.subject} distinguished names (attribute type → value), any of which the
 *                           signing certificate's subject must contain; empty means any identity ({@code "*"})
 * @param source             the trust store paths as the policy wrote them, for messages
 * @param fingerprint        sha256 over everything above, hex, so that a changed trust store changes verdict keys
 */
public record NotationAuthority(String name, List<X509Certificate> ca, List<X509Certificate> signingAuthority,
                                List<X509Certificate> timestampAuthorities, VerifyTimestamp verifyTimestamp,
                                List<Map<String, String>> trustedIdentities, String source, String fingerprint)
    implements Authority {

  /** The artifact type of Notary Project signatures attached as referrers. */
  public static final String ARTIFACT_TYPE = "application/vnd.cncf.notary.signature";

  /** Notation's {@code signatureVerification.verifyTimestamp}. */
  public enum VerifyTimestamp {
    ALWAYS("always"),
    AFTER_CERT_EXPIRY("afterCertExpiry");

    private final String word;

    VerifyTimestamp(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }

    public static Optional<VerifyTimestamp> of(String word) {
      for (VerifyTimestamp v : values()) {
        if (v.word.equals(word)) {
          return Optional.of(v);
        }
      }
      return Optional.empty();
    }
  }

  public NotationAuthority {
    ca = List.copyOf(ca);
    signingAuthority = List.copyOf(signingAuthority);
    timestampAuthorities = List.copyOf(timestampAuthorities);
    trustedIdentities = trustedIdentities.stream().map(Map::copyOf).toList();
  }

  /** Whether a signer's subject matches a trusted identity: every attribute of one is in the subject. */
  public boolean trusts(Map<String, String> subject) {
    if (trustedIdentities.isEmpty()) {
      return true;
    }
    for (Map<String, String> identity : trustedIdentities) {
      if (identity.entrySet().stream().allMatch(e -> e.getValue().equals(subject.get(e.getKey())))) {
        return true;
      }
    }
    return false;
  }

  /**
   * A Notation trusted identity, {@code x509.subject:<DN>}, as the attributes its DN requires.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Map<String, String> trustedIdentity(String identity) {
    String prefix = "x509.subject:";
    if (!identity.startsWith(prefix)) {
      throw new IllegalArgumentException("a trusted identity is \"x509.subject: <distinguished name>\" (or \"*\" alone),"
          + " found \"" + identity + "\"");
    }
    Map<String, String> dn = distinguishedName(identity.substring(prefix.length()));
    for (String required : List.of("C", "ST", "O")) {
      if (!dn.containsKey(required)) {
        throw new IllegalArgumentException("the trusted identity \"" + identity + "\" lacks " + required
            + "; Notation requires at least C, ST and O, so that a name cannot match certificates of other organizations");
      }
    }
    return dn;
  }

  /**
   * An RFC 4514 distinguished name as attribute type (upper case: {@code CN}, {@code O}, {@code ST}…)
   * → value, as Notation compares them. Multi-valued RDNs and repeated attribute types are refused,
   * as Notation refuses them, since "contains" would be ambiguous.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Map<String, String> distinguishedName(String dn) {
    LdapName name;
    try {
      name = new LdapName(dn.strip());
    } catch (InvalidNameException | IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + dn + "\" is not a distinguished name (RFC 4514)");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    for (Rdn rdn : name.getRdns()) {
      if (rdn.size() != 1) {
        throw new IllegalArgumentException("\"" + dn + "\" has a multi-valued RDN, which Notation does not accept");
      }
      String type = rdn.getType().toUpperCase(java.util.Locale.ROOT);
      if (type.equals("S")) {
        type = "ST";
      }
      if (attributes.put(type, String.valueOf(rdn.getValue())) != null) {
        throw new IllegalArgumentException("\"" + dn + "\" names " + type + " twice");
      }
    }
    if (attributes.isEmpty()) {
      throw new IllegalArgumentException("the distinguished name is empty");
    }
    return attributes;
  }

  @Override
  public String toString() {
    return name + " (notation " + source + ")";
  }
}
