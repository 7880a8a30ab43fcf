package dev.promgate.verification;

import dev.promgate.policy.Authority;
import dev.promgate.policy.NotationAuthority;
import dev.promgate.policy.TrustedRoot;
import dev.promgate.notation.NotationVerifier;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who signed an attachment, for each kind of authority: the check itself runs once per attachment
 * and trust (a key with its transparency requirement, a trusted root with its rules, a set of
 * enterprise roots), however many rules and policies name the authority; the identity match that
 * follows is cheap and done per authority.
 */
final class Signers {

  private static final int MAX_PROBLEM_LENGTH = 300;

  private final TrustMaterials trust;
  private final Instant now;
  /** Per attachment: the outcome of each check, by what the check depends on. */
  private final Map<Attachment, Map<String, Match>> keyChecks = new IdentityHashMap<>();
  private final Map<Attachment, Map<String, Certified>> certificateChecks = new IdentityHashMap<>();

  /** A certificate check: the identity the certificate was issued to (and until when), or why it does not count. */
  private record Certified(CertificateIdentity identity, Optional<java.time.Instant> validUntil, String problem) {}

  /** Per attachment: Notation checks by the authority's fingerprint (trust stores and identities). */
  private final Map<Attachment, Map<String, Match>> notationChecks = new IdentityHashMap<>();

  /** A TUF root's age, read once per evaluation: why it is too old, or until when it may be used. */
  private record Freshness(Optional<String> tooOld, Optional<Instant> usableUntil) {}

  private final Map<java.nio.file.Path, Freshness> freshness = new HashMap<>();

  /**
   * Trusted roots that a check needed and could not use, each with why (by description): not
   * verified from its TUF mirror yet, or trust material sigstore-java cannot build verifiers from.
   */
  private final Map<String, String> unusable = new java.util.LinkedHashMap<>();

  Signers(TrustMaterials trust, Instant now) {
    this.trust = trust;
    this.now = now;
  }

  /**
   * Whether {@code authority} signed an attachment; with the signer's identity, or why not.
   *
   * @param expiresAt when the signature stops counting, if it was checked against something that ends
   */
  record Match(boolean signed, String identity, String problem, Optional<Instant> expiresAt) {
    static Match signed(String identity) {
      return new Match(true, identity, null, Optional.empty());
    }

    static Match signed(String identity, Optional<Instant> expiresAt) {
      return new Match(true, identity, null, expiresAt);
    }

    static Match not(String problem) {
      return new Match(false, null, problem, Optional.empty());
    }
  }

  /**
   * Why the trusted roots that checks needed could not be used, one sentence each naming the root:
   * what needed them was not checked, so a failure may not be the evidence's.
   */
  java.util.Collection<String> unusableRoots() {
    return unusable.values();
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
              + v.timestamp().map(t -> " (timestamped " + t + ")").orElse(""), v.validUntil());
        }
        return Match.not(abbreviate(((NotationVerifier.NotVerified) result).message()) + " (for " + notation.name() + ")");
      });
    }
    if (a instanceof NotationSignatureAttachment) {
      String kind = authority instanceof Authority.Key ? "a key"
          : authority instanceof Authority.Keyless ? "keyless" : "a certificate chain";
      return Match.not("a Notation signature, which " + authority.name() + " (" + kind
          + ") does not read; trust it with a notation authority");
    }
    Optional<TrustedRoot> needed = rootOf(authority);
    if (needed.isPresent() && !needed.get().available()) {
      unusable.putIfAbsent(needed.get().description(), "the " + needed.get().description()
          + " has not been verified from its mirror yet");
      return Match.not("its " + needed.get().description() + " has not been verified from the mirror yet (for "
          + authority.name() + ")");
    }
    Optional<TrustedRoot.Tuf> tuf = needed.flatMap(TrustedRoot::tuf);
    if (tuf.isPresent()) {
      Freshness fresh = freshness.computeIfAbsent(tuf.get().cache(), c -> {
        Optional<Instant> at = tuf.get().verifiedAt();
        return new Freshness(tuf.get().tooOld(at, now), at.map(t -> t.plus(tuf.get().maxAge())));
      });
      if (fresh.tooOld().isPresent()) {
        unusable.putIfAbsent(needed.get().description(), fresh.tooOld().get());
        return Match.not(fresh.tooOld().get() + " (for " + authority.name() + ")");
      }
      // A verdict that rests on it lasts no longer than the root may be used without a refresh.
      return until(checked(a, authority), fresh.usableUntil());
    }
    return checked(a, authority);
  }

  private static Match until(Match m, Optional<Instant> end) {
    if (!m.signed() || end.isEmpty() || (m.expiresAt().isPresent() && m.expiresAt().get().isBefore(end.get()))) {
      return m;
    }
    return Match.signed(m.identity(), end);
  }

  /** The check itself, once the trust it needs is known to be usable. */
  private Match checked(Attachment a, Authority authority) {
    if (authority instanceof Authority.Key key) {
      return key(a, key);
    }
    if (authority instanceof Authority.Keyless keyless) {
      Certified outcome = certified(a, "root " + keyless.root().digest() + " log " + keyless.transparencyLogRequired()
          + " sct " + keyless.certificateTransparencyRequired(), () -> new SignerTrust.Keyless(
              trust.get(keyless.root()), keyless.transparencyLogRequired(), keyless.certificateTransparencyRequired()));
      return identities(outcome, keyless.name(), keyless.identities(), false);
    }
    Authority.CertificateChain chain = (Authority.CertificateChain) authority;
    Certified outcome = certified(a, "chain " + chain.fingerprint() + transparencyKey(chain.transparency()),
        () -> new SignerTrust.Enterprise(chain.roots(), chain.intermediates(), "roots " + fileName(chain.source()),
            transparency(chain.transparency())));
    return identities(outcome, chain.name(), chain.identities(), true);
  }

  private static Optional<TrustedRoot> rootOf(Authority authority) {
    if (authority instanceof Authority.Keyless keyless) {
      return Optional.of(keyless.root());
    }
    if (authority instanceof Authority.Key key) {
      return key.transparency().map(Authority.Transparency::root);
    }
    if (authority instanceof Authority.CertificateChain chain) {
      return chain.transparency().map(Authority.Transparency::root);
    }
    return Optional.empty();
  }

  /** What a certificate check needs; building it may fail (a trusted root that cannot be used). */
  @FunctionalInterface
  private interface TrustSupplier {
    SignerTrust.Certificates get() throws Invalid;
  }

  private Certified certified(Attachment a, String checkKey, TrustSupplier trust) {
    return certificateChecks.computeIfAbsent(a, x -> new HashMap<>()).computeIfAbsent(checkKey, k -> {
      try {
        SignerChecks.CertifiedSigner signer = a.verifyCertificate(trust.get(), now);
        return new Certified(signer.identity(), signer.validUntil(), null);
      } catch (Invalid e) {
        remember(e);
        return new Certified(null, Optional.empty(), abbreviate(e.getMessage()));
      }
    });
  }

  private Match key(Attachment a, Authority.Key key) {
    String notSigned = "not signed with the key of " + key.name() + " (" + fileName(key.source()) + ")";
    Map<String, Match> done = keyChecks.computeIfAbsent(a, x -> new HashMap<>());
    if (key.transparency().isEmpty()) {
      return done.computeIfAbsent(key.fingerprint(), k -> a.verifiedBy(key.publicKey())
          ? Match.signed("key sha256:" + key.fingerprint())
          : Match.not(notSigned));
    }
    return done.computeIfAbsent(key.fingerprint() + transparencyKey(key.transparency()), k -> {
      try {
        Optional<String> logged = a.verifyKey(new SignerTrust.Key(key.publicKey(), transparency(key.transparency())), now);
        if (logged.isEmpty()) {
          return Match.not(notSigned);
        }
        return Match.signed("key sha256:" + key.fingerprint() + (logged.get().isEmpty() ? "" : ", " + logged.get()));
      } catch (Invalid e) {
        remember(e);
        return Match.not("signed with the key of " + key.name() + ", but " + abbreviate(e.getMessage()));
      }
    });
  }

  /** A check that stopped at trust material it could not use did not check the evidence: noted. */
  private void remember(Invalid e) {
    e.unusableRoot().ifPresent(problem -> unusable.putIfAbsent(problem, abbreviate(problem)));
  }

  private Optional<SignerTrust.Transparency> transparency(Optional<Authority.Transparency> t) throws Invalid {
    if (t.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new SignerTrust.Transparency(trust.get(t.get().root()), t.get().logRequired()));
  }

  private static String transparencyKey(Optional<Authority.Transparency> t) {
    return t.map(x -> " root " + x.root().digest() + " log " + x.logRequired()).orElse("");
  }

  /** @param anyIfNone whether an empty identity list accepts every certificate (certificate chains) */
  private static Match identities(Certified outcome, String name, List<Authority.Identity> identities,
                                  boolean anyIfNone) {
    if (outcome.identity() == null) {
      return Match.not(outcome.problem() + " (for " + name + ")");
    }
    CertificateIdentity identity = outcome.identity();
    if ((identities.isEmpty() && anyIfNone) || identities.stream().anyMatch(identity::matches)) {
      return Match.signed(identity.toString(), outcome.validUntil());
    }
    return Match.not("signed by " + identity + ", which is not an identity of " + name + " " + identities);
  }

  private static String abbreviate(String problem) {
    return problem.length() <= MAX_PROBLEM_LENGTH ? problem : problem.substring(0, MAX_PROBLEM_LENGTH - 3) + "...";
  }

  /** The file name, or "inline": where it lives on the server is nobody else's business. */
  static String fileName(String source) {
    int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
    return slash < 0 ? source : source.substring(slash + 1);
  }
}
