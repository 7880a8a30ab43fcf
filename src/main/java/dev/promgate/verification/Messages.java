package dev.promgate.verification;

import dev.promgate.policy.Authority;
import dev.promgate.policy.NotationAuthority;
import dev.promgate.policy.EnvironmentRules.PromotionRule;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** How a rejection words what was found and how to fix it: names, lists, ages and commands. */
final class Messages {

  private static final int MAX_FINDINGS = 5;

  private Messages() {}

  /** An attachment as denials name it: its format and where it was found. */
  static String describe(Attachment a) {
    return a.format() + " " + a.source();
  }

  static String signFix(Authority authority, String image) {
    if (authority instanceof NotationAuthority notation) {
      return "sign it with Notation using a certificate that chains to the trust store of " + notation.name()
          + (notation.trustedIdentities().isEmpty() ? "" : " and whose subject matches one of its trusted identities")
          + ": notation sign " + image;
    }
    if (authority instanceof Authority.Key key) {
      return "sign it with the key of " + key.name() + ": cosign sign --key <private key of " + key.name() + "> " + image;
    }
    if (authority instanceof Authority.CertificateChain chain) {
      return "sign it with a certificate of " + chain.name() + (chain.identities().isEmpty() ? "" : " " + chain.identities())
          + ": cosign sign" + keyFlag(authority) + " " + image;
    }
    return "sign it keyless as an identity of " + authority.name() + " " + ((Authority.Keyless) authority).identities()
        + ": cosign sign " + image;
  }

  static String promoteFix(PromotionRule rule, String image) {
    Authority authority = rule.signedBy().get(0);
    return "promote it: cosign attest --type " + Promotion.PREDICATE_TYPE + " --predicate promotion.json"
        + keyFlag(authority) + " " + image + ", where promotion.json is {\"environment\": \""
        + rule.environment() + "\", \"promotedAt\": \"<now, RFC 3339>\", \"approver\": \"<you>\"}"
        + (authority instanceof Authority.Keyless k ? ", signing in as an identity of " + k.name() + " " + k.identities() : "");
  }

  static String attestFix(String predicateType, Authority authority, String image) {
    return "cosign attest --type " + predicateType + " --predicate <predicate.json>" + keyFlag(authority) + " " + image
        + (authority instanceof Authority.Keyless k ? ", signing in as an identity of " + k.name() + " " + k.identities() : "");
  }

  private static String keyFlag(Authority authority) {
    if (authority instanceof Authority.CertificateChain) {
      return " --key <private key> --certificate <certificate of " + authority.name()
          + "> --certificate-chain <its CA chain>";
    }
    return authority instanceof Authority.Key ? " --key <private key of " + authority.name() + ">" : "";
  }

  /** {@code ci}, {@code ci or release-managers}, {@code a, b or c}. */
  static String names(List<Authority> authorities) {
    List<String> n = authorities.stream().map(Authority::name).distinct().toList();
    if (n.size() == 1) {
      return n.get(0);
    }
    return String.join(", ", n.subList(0, n.size() - 1)) + " or " + n.get(n.size() - 1);
  }

  static String join(List<String> findings) {
    if (findings.size() <= MAX_FINDINGS) {
      return String.join("; ", findings);
    }
    return findings.stream().limit(MAX_FINDINGS).collect(Collectors.joining("; "))
        + "; and " + (findings.size() - MAX_FINDINGS) + " more";
  }

  /** {@code 31 days}, {@code 1 day}, {@code 5 hours}, {@code 12 minutes}. */
  static String age(Duration d) {
    long days = d.toDays();
    if (days >= 1) {
      return days + (days == 1 ? " day" : " days");
    }
    long hours = d.toHours();
    if (hours >= 1) {
      return hours + (hours == 1 ? " hour" : " hours");
    }
    long minutes = d.toMinutes();
    return minutes + (minutes == 1 ? " minute" : " minutes");
  }

  /** A duration as a policy writes it: {@code 720h}, {@code 90m}, {@code 45s}. */
  static String goDuration(Duration d) {
    if (d.toSecondsPart() == 0 && d.toMinutesPart() == 0 && d.toHours() > 0) {
      return d.toHours() + "h";
    }
    if (d.toSecondsPart() == 0 && d.toMinutes() > 0) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }
}
