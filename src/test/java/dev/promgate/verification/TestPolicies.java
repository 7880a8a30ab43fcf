package dev.promgate.verification;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.AttestationCondition;
import dev.promgate.policy.Authority;
import dev.promgate.policy.CertificateExtension;
import dev.promgate.policy.TrustedRoot;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.PublicKeys;
import dev.promgate.verdict.VerificationRequest;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Builders for authorities, rules and requests, as the policy loader would produce them. */
final class TestPolicies {

  private TestPolicies() {}

  static Authority.Key key(String name, Path pemFile) {
    try {
      return key(name, Files.readString(pemFile), pemFile.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Authority.Key key(String name, String pem, String source) {
    PublicKey key = PublicKeys.parsePem(pem);
    return new Authority.Key(name, key, source, PublicKeys.fingerprint(key));
  }

  static Authority.Key key(String name, PublicKey key) {
    return new Authority.Key(name, key, "keys/" + name + ".pub", PublicKeys.fingerprint(key));
  }

  static Authority.Keyless keyless(String name, Path trustedRoot, Authority.Identity... identities) {
    try {
      return keyless(name, Files.readAllBytes(trustedRoot), trustedRoot, identities);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Authority.Keyless keyless(String name, byte[] trustedRootJson, Path file, Authority.Identity... identities) {
    try {
      SigstoreTrustedRoot root = SigstoreTrustedRoot.from(new ByteArrayInputStream(trustedRootJson));
      String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(trustedRootJson));
      return new Authority.Keyless(name, file, root, digest, List.of(identities));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read trusted root " + file, e);
    }
  }

  /** A trusted root as the policy loader reads it. */
  static TrustedRoot trustedRoot(Path file) {
    return trustedRoot(bytes(file), file);
  }

  static TrustedRoot trustedRoot(byte[] json, Path file) {
    try {
      SigstoreTrustedRoot root = SigstoreTrustedRoot.from(new ByteArrayInputStream(json));
      return new TrustedRoot(file, root, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read trusted root " + file, e);
    }
  }

  /** A keyless authority with the log and SCT requirements spelled out. */
  static Authority.Keyless keyless(String name, Path trustedRoot, boolean logRequired, boolean sctRequired,
                                   Authority.Identity... identities) {
    return new Authority.Keyless(name, trustedRoot(trustedRoot), List.of(identities), logRequired, sctRequired);
  }

  /** A key whose signatures must be in a log of {@code trustedRoot} ({@code transparencyLog: required}). */
  static Authority.Key loggedKey(String name, Path pemFile, Path trustedRoot) {
    Authority.Key key = key(name, pemFile);
    return new Authority.Key(name, key.publicKey(), key.source(), key.fingerprint(),
        Optional.of(new Authority.Transparency(trustedRoot(trustedRoot), true)));
  }

  /** An enterprise CA authority. */
  static Authority.CertificateChain chain(String name, Path roots, Path intermediates,
                                          Optional<Authority.Transparency> transparency, Authority.Identity... identities) {
    try {
      List<X509Certificate> rootCerts = certificates(roots);
      List<X509Certificate> intermediateCerts = intermediates == null ? List.of() : certificates(intermediates);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (X509Certificate c : rootCerts) {
        sha.update(c.getEncoded());
      }
      for (X509Certificate c : intermediateCerts) {
        sha.update(c.getEncoded());
      }
      return new Authority.CertificateChain(name, rootCerts, intermediateCerts, roots.getFileName().toString(),
          HexFormat.of().formatHex(sha.digest()), List.of(identities), transparency);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static List<X509Certificate> certificates(Path pem) {
    try (var in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(c -> (X509Certificate) c).toList();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read certificates " + pem, e);
    }
  }

  /** An identity that matches a certificate's names (SAN or subject DN) only, as certificate chains allow. */
  static Authority.Identity subject(String subject) {
    return new Authority.Identity(Optional.empty(), Optional.empty(), Optional.of(subject), Optional.empty());
  }

  /** An identity with Fulcio extensions that must match exactly. */
  static Authority.Identity identity(String issuer, String subjectRegExp, Map<CertificateExtension, String> extensions) {
    Map<CertificateExtension, Authority.ValueMatch> matches = new java.util.EnumMap<>(CertificateExtension.class);
    extensions.forEach((k, v) -> matches.put(k, new Authority.ValueMatch(Optional.of(v), Optional.empty())));
    return new Authority.Identity(Optional.of(issuer), Optional.empty(), Optional.empty(),
        Optional.of(Pattern.compile(subjectRegExp)), matches);
  }

  static Authority.Identity identity(String issuer, String subject) {
    return new Authority.Identity(Optional.of(issuer), Optional.empty(), Optional.of(subject), Optional.empty());
  }

  static Authority.Identity identityRegExp(String issuerRegExp, String subjectRegExp) {
    return new Authority.Identity(Optional.empty(), Optional.of(Pattern.compile(issuerRegExp)),
        Optional.empty(), Optional.of(Pattern.compile(subjectRegExp)));
  }

  static EnvironmentRules signatures(Authority... authorities) {
    return rules(List.of(authorities), List.of(), List.of());
  }

  static EnvironmentRules rules(List<Authority> signatures, List<EnvironmentRules.PromotionRule> promotions,
                                List<EnvironmentRules.AttestationRule> attestations) {
    return new EnvironmentRules("prod", Optional.empty(), signatures, promotions, attestations,
        "test-" + System.identityHashCode(signatures));
  }

  static EnvironmentRules.PromotionRule promotion(String environment, Duration maxAge, Authority... signedBy) {
    return new EnvironmentRules.PromotionRule(environment, List.of(signedBy), Optional.ofNullable(maxAge));
  }

  static EnvironmentRules.AttestationRule attestation(String predicateType, AttestationCondition condition,
                                                      Authority... signedBy) {
    return new EnvironmentRules.AttestationRule(predicateType, List.of(signedBy), Optional.ofNullable(condition));
  }

  /** A condition given as a Java predicate over the statement, the way a CEL expression would behave. */
  static AttestationCondition condition(String expression, Predicate<Map<String, Object>> test) {
    return new AttestationCondition() {
      @Override
      public String expression() {
        return expression;
      }

      @Override
      public Result evaluate(Map<String, Object> statement) {
        return Result.of(test.test(statement));
      }
    };
  }

  static AttestationCondition failingCondition(String expression, String error) {
    return new AttestationCondition() {
      @Override
      public String expression() {
        return expression;
      }

      @Override
      public Result evaluate(Map<String, Object> statement) {
        return Result.error(error);
      }
    };
  }

  static VerificationRequest request(String digest, EnvironmentRules... rules) {
    return request(ImageReference.of("registry.acme.example", "shop/web", Digest.parse(digest)), rules);
  }

  static VerificationRequest request(ImageReference image, EnvironmentRules... rules) {
    List<VerificationRequest.PolicyRules> policies = Arrays.stream(rules)
        .map(r -> new VerificationRequest.PolicyRules("policy-" + Arrays.asList(rules).indexOf(r), r))
        .toList();
    return new VerificationRequest(image, "prod", policies);
  }

  static String sha256(byte[] content) {
    return Digest.sha256Of(content).toString();
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
