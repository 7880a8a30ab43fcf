package dev.promgate.policy;

import dev.promgate.policy.EnvironmentRules.AttestationRule;
import dev.promgate.policy.EnvironmentRules.PromotionRule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The fingerprint of {@link EnvironmentRules}: sha256 over a canonical description of everything a
 * verdict depends on, so the verdict cache can key on it.
 *
 * <p>Included: for every authority in {@code signatures}, each promotion's and each attestation's
 * {@code signedBy}, its name (verdicts name it in their reasons) and its trust material: a key's
 * DER encoding digest and the transparency it requires (trusted-root digest, log required or not), a
 * keyless authority's trusted-root file digest, log and CT requirements and identities (exact values
 * and regular expressions, kept apart, with their certificate-extension rules), or a certificate
 * chain's roots and intermediates digest, transparency and identities; each promotion's environment
 * and {@code maxAge}; each attestation's predicate type and condition text. Lists keep their order, so the reasons in
 * a cached verdict read as the policy does.
 *
 * <p>Excluded: the environment name and the {@code mode}. Mode decides what happens to a verdict
 * (deny or warn), not the verdict itself, and two environments with the same requirements can share
 * verdicts. Also excluded: the policy name, file and generation, so a reload that changes nothing
 * the rules depend on keeps every cached verdict valid, and a reload that changes any trust material
 * (a rotated key file, a new trusted root) yields a new fingerprint.
 *
 * <p>The description is length-prefixed ({@code 5:abcde}) so no value can imitate a separator.
 */
final class Fingerprints {

  private static final String VERSION = "promgate-environment-rules/2";

  private Fingerprints() {}

  static String of(List<Authority> signatures, List<PromotionRule> promotions, List<AttestationRule> attestations) {
    Canonical c = new Canonical();
    c.field(VERSION);
    c.field("signatures").count(signatures.size());
    for (Authority a : signatures) {
      authority(c, a);
    }
    c.field("promotions").count(promotions.size());
    for (PromotionRule p : promotions) {
      c.field(p.environment());
      c.field(p.maxAge().map(d -> Long.toString(d.toNanos())).orElse("-"));
      authorities(c, p.signedBy());
    }
    c.field("attestations").count(attestations.size());
    for (AttestationRule a : attestations) {
      c.field(a.predicateType());
      c.field(a.condition().map(AttestationCondition::expression).orElse("-"));
      authorities(c, a.signedBy());
    }
    return c.sha256();
  }

  private static void authorities(Canonical c, List<Authority> authorities) {
    c.count(authorities.size());
    for (Authority a : authorities) {
      authority(c, a);
    }
  }

  private static void authority(Canonical c, Authority authority) {
    c.field(authority.name());
    if (authority instanceof Authority.Key key) {
      c.field("key").field(key.fingerprint());
      transparency(c, key.transparency());
    } else if (authority instanceof Authority.Keyless keyless) {
      c.field("keyless").field(keyless.trustedRootDigest())
          .field(keyless.transparencyLogRequired() ? "log" : "no-log")
          .field(keyless.certificateTransparencyRequired() ? "sct" : "no-sct");
      identities(c, keyless.identities());
    } else if (authority instanceof Authority.CertificateChain chain) {
      c.field("certificate-chain").field(chain.fingerprint());
      transparency(c, chain.transparency());
      identities(c, chain.identities());
    } else if (authority instanceof NotationAuthority notation) {
      c.field("notation").field(notation.fingerprint());
    }
  }

  private static void transparency(Canonical c, java.util.Optional<Authority.Transparency> transparency) {
    if (transparency.isEmpty()) {
      c.field("-");
      return;
    }
    c.field(transparency.get().root().digest()).field(transparency.get().logRequired() ? "log" : "no-log");
  }

  private static void identities(Canonical c, List<Authority.Identity> identities) {
    c.count(identities.size());
    for (Authority.Identity id : identities) {
      c.field(id.issuer().orElse("")).field(id.issuerRegExp().map(Pattern::pattern).orElse(""));
      c.field(id.subject().orElse("")).field(id.subjectRegExp().map(Pattern::pattern).orElse(""));
      c.count(id.extensions().size());
      id.extensions().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> c
          .field(e.getKey().policyName())
          .field(e.getValue().exact().orElse(""))
          .field(e.getValue().regExp().map(Pattern::pattern).orElse("")));
    }
  }

  private static final class Canonical {
    private final StringBuilder text = new StringBuilder();

    Canonical field(String value) {
      text.append(value.length()).append(':').append(value).append(';');
      return this;
    }

    Canonical count(int n) {
      text.append('#').append(n).append(';');
      return this;
    }

    String sha256() {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }
  }
}
