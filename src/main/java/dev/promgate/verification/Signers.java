package dev.promgate.verification;

import dev.promgate.policy.Authority;
import dev.promgate.policy.NotationAuthority;
import dev.promgate.notation.NotationVerifier;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Who signed an attachment, checked at most once per attachment and key or trusted root however
 * many rules and policies name the authority; identities are matched per keyless authority.
 */
final class Signers {

  private static final int MAX_PROBLEM_LENGTH = 300;

  private final TrustMaterials trust;
  private final Instant now;
  /** Per attachment: key checks by fingerprint. */
  private final Map<Attachment, Map<String, Match>> keyChecks = new IdentityHashMap<>();
  /** Per attachment: keyless checks by trusted root digest. */
  private final Map<Attachment, Map<String, Keyless>> keylessChecks = new IdentityHashMap<>();

  /** Per attachment: Notation checks by the authority's fingerprint (trust stores and identities). */
  private final Map<Attachment, Map<String, Match>> notationChecks = new IdentityHashMap<>();

  /** A keyless check against one trusted root: the certificate identity that signed, or why none did. */
  private record Keyless(CertificateIdentity identity, String problem) {}

  Signers(TrustMaterials trust, Instant now) {
    this.trust = trust;
    this.now = now;
  }

  /** Whether {@code authority} signed an attachment; with the signer's identity, or why not. */
  record Match(boolean signed, String identity, String problem) {
    static Match signed(String identity) {
      return new Match(true, identity, null);
    }

    static Match not(String problem) {
      return new Match(false, null, problem);
    }
  }

  Match match(Attachment a, Authority authority) {
    if (authority instanceof NotationAuthority notation) {
      if (!(a instanceof NotationSignatureAttachment n)) {
        return Match.not("not a Notation signature, which is all " + notation.name() + " trusts");
      }
      return notationChecks.computeIfAbsent(a, x -> new HashMap<>()).computeIfAbsent(notation.fingerprint(), k -> {
        NotationVerifier.Result result = n.verify(notation, now);
        if (result instanceof NotationVerifier.Verified v) {
          return Match.signed("x509.subject \"" + v.subject() + "\""
              + v.timestamp().map(t -> " (timestamped " + t + ")").orElse(""));
        }
        return Match.not(abbreviate(((NotationVerifier.NotVerified) result).message()) + " (for " + notation.name() + ")");
      });
    }
    if (a instanceof NotationSignatureAttachment) {
      return Match.not("a Notation signature, which " + authority.name() + " ("
          + (authority instanceof Authority.Key ? "a key" : "keyless") + ") does not read; trust it with a notation authority");
    }
    if (authority instanceof Authority.Key key) {
      return keyChecks.computeIfAbsent(a, x -> new HashMap<>())
          .computeIfAbsent(key.fingerprint(), k -> a.verifiedBy(key.publicKey())
          ? Match.signed("key sha256:" + key.fingerprint())
          : Match.not("not signed with the key of " + key.name() + " (" + keyName(key) + ")"));
    }
    Authority.Keyless keyless = (Authority.Keyless) authority;
    Keyless outcome = keylessChecks.computeIfAbsent(a, x -> new HashMap<>())
        .computeIfAbsent(keyless.trustedRootDigest(), k -> {
          try {
            return new Keyless(a.verifyKeyless(trust.get(keyless), now), null);
          } catch (Invalid e) {
            return new Keyless(null, abbreviate(e.getMessage()));
          }
        });
    if (outcome.identity() == null) {
      return Match.not(outcome.problem() + " (for " + keyless.name() + ")");
    }
    CertificateIdentity identity = outcome.identity();
    if (keyless.identities().stream().anyMatch(identity::matches)) {
      return Match.signed(identity.toString());
    }
    return Match.not("signed by " + identity + ", which is not an identity of " + keyless.name() + " "
        + keyless.identities());
  }

  private static String abbreviate(String problem) {
    return problem.length() <= MAX_PROBLEM_LENGTH ? problem : problem.substring(0, MAX_PROBLEM_LENGTH - 3) + "...";
  }

  /** The key's file name, or "inline": where it lives on the server is nobody else's business. */
  private static String keyName(Authority.Key key) {
    String source = key.source();
    int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
    return slash < 0 ? source : source.substring(slash + 1);
  }
}
