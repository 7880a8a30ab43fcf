package dev.promgate.policy;

import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Someone whose signature counts: a key, or keyless identities certified by a Sigstore trusted
 * root. Authorities are declared per {@link PromotionPolicy} and referred to by name.
 */
public sealed interface Authority permits Authority.Key, Authority.Keyless, NotationAuthority {

  String name();

  /**
   * A public key (ECDSA P-256/P-384, RSA, Ed25519).
   *
   * @param source where the key came from ({@code keys/ci.pub} or {@code inline}), for messages
   * @param fingerprint sha256 of the key's DER encoding, hex
   */
  record Key(String name, PublicKey publicKey, String source, String fingerprint) implements Authority {
    @Override
    public String toString() {
      return name + " (key " + source + ")";
    }
  }

  /**
   * Fulcio-certified identities, with the trust material read offline from a trusted root file.
   *
   * @param trustedRootFile the {@code trusted_root.json} path
   * @param trustedRoot     its parsed content
   * @param trustedRootDigest sha256 of the file's bytes, hex, so a changed root changes fingerprints
   */
  record Keyless(String name, Path trustedRootFile, SigstoreTrustedRoot trustedRoot,
                 String trustedRootDigest, List<Identity> identities) implements Authority {
    @Override
    public String toString() {
      return name + " (keyless " + identities + ")";
    }
  }

  /**
   * An accepted certificate identity. Issuer and subject are each matched exactly or by a fully
   * anchored regular expression; exactly one of each pair is present.
   */
  record Identity(Optional<String> issuer, Optional<Pattern> issuerRegExp,
                  Optional<String> subject, Optional<Pattern> subjectRegExp) {

    public boolean matches(String certIssuer, String certSubject) {
      return matches(issuer, issuerRegExp, certIssuer) && matches(subject, subjectRegExp, certSubject);
    }

    private static boolean matches(Optional<String> exact, Optional<Pattern> regex, String value) {
      if (value == null) {
        return false;
      }
      if (exact.isPresent()) {
        return exact.get().equals(value);
      }
      return regex.map(p -> p.matcher(value).matches()).orElse(false);
    }

    @Override
    public String toString() {
      String i = issuer.orElseGet(() -> "~" + issuerRegExp.map(Pattern::pattern).orElse("?"));
      String s = subject.orElseGet(() -> "~" + subjectRegExp.map(Pattern::pattern).orElse("?"));
      return "{issuer " + i + ", subject " + s + "}";
    }
  }
}
