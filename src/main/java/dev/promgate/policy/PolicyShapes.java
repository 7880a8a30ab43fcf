package dev.promgate.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys each mapping of a policy file may have and must have. The loader reads mappings only
 * through these shapes, and a test holds {@code promgate-policy.schema.json} to them (each shape is
 * the schema's {@code $defs} entry of the same name), so editor completion and the loader cannot
 * drift apart.
 */
final class PolicyShapes {

  /**
   * @param name     the schema {@code $defs} name
   * @param label    how messages call this mapping
   * @param keys     every key the loader accepts, in documentation order
   * @param required the keys that must be present
   */
  record Shape(String name, String label, List<String> keys, List<String> required) {}

  static final String API_VERSION = "promgate.dev/v1alpha1";

  static final Shape GATE_CONFIG = shape("gateConfig", "GateConfig",
      List.of("apiVersion", "kind", "metadata", "spec"), List.of("apiVersion", "kind"));
  static final Shape PROMOTION_POLICY = shape("promotionPolicy", "PromotionPolicy",
      List.of("apiVersion", "kind", "metadata", "spec"), List.of("apiVersion", "kind", "metadata", "spec"));
  static final Shape METADATA = shape("metadata", "metadata",
      List.of("name", "labels", "annotations"), List.of());
  static final Shape POLICY_METADATA = shape("policyMetadata", "metadata",
      List.of("name", "labels", "annotations"), List.of("name"));

  static final Shape GATE_SPEC = shape("gateConfigSpec", "GateConfig spec",
      List.of("mode", "unlabelledNamespaces", "defaultEnvironment", "namespaces", "exemptNamespaces", "registries",
          "cache", "credentials", "timeouts", "limits", "breakGlass", "trustedRootMirrors"), List.of());
  static final Shape NAMESPACE_RULE = shape("namespaceRule", "namespace rule",
      List.of("match", "environment"), List.of("match", "environment"));
  static final Shape REGISTRY = shape("registry", "registry",
      List.of("host", "insecure", "caFile", "tokenHosts", "redirectHosts"), List.of("host"));
  static final Shape TRUSTED_ROOT_MIRROR = shape("trustedRootMirror", "trusted root mirror",
      List.of("host", "insecure", "caFile"), List.of("host"));
  static final Shape CACHE = shape("cache", "cache",
      List.of("ttl", "negativeTtl", "staleIfError", "maxEntries"), List.of());
  static final Shape CREDENTIALS = shape("credentials", "credentials",
      List.of("dockerConfigJson"), List.of("dockerConfigJson"));
  static final Shape TIMEOUTS = shape("timeouts", "timeouts",
      List.of("verification", "tagHint", "request"), List.of());
  static final Shape LIMITS = shape("limits", "limits",
      List.of("maxManifestBytes", "maxBlobBytes", "maxAttachments", "maxAttachmentBytes"), List.of());
  static final Shape BREAK_GLASS = shape("breakGlass", "breakGlass",
      List.of("environments"), List.of("environments"));

  static final Shape POLICY_SPEC = shape("promotionPolicySpec", "PromotionPolicy spec",
      List.of("images", "authorities", "environments"), List.of("images", "environments"));
  static final Shape AUTHORITY = shape("authority", "authority",
      List.of("name", "key", "keyless", "certificateChain", "notation"), List.of("name"));
  static final Shape KEY = shape("key", "key",
      List.of("publicKeyFile", "publicKey", "transparencyLog", "trustedRoot"), List.of());
  static final Shape KEYLESS = shape("keyless", "keyless",
      List.of("trustedRoot", "identities", "transparencyLog", "certificateTransparency"),
      List.of("trustedRoot", "identities"));
  static final Shape CERTIFICATE_CHAIN = shape("certificateChain", "certificateChain",
      List.of("roots", "intermediates", "identities", "transparencyLog", "trustedRoot"), List.of("roots"));
  static final Shape TRUSTED_ROOT_SOURCE = shape("trustedRootSource", "trustedRoot",
      List.of("tuf"), List.of("tuf"));
  static final Shape TUF = shape("tuf", "tuf",
      List.of("mirror", "root", "cache", "refreshInterval", "maxAge"), List.of("mirror", "root"));
  static final Shape IDENTITY = shape("identity", "identity", identityKeys(), List.of());
  static final Shape CERTIFICATE_IDENTITY = shape("certificateIdentity", "identity", identityKeys(), List.of());
  static final Shape NOTATION = shape("notation", "notation",
      List.of("trustStore", "signingAuthority", "timestampAuthorities", "verifyTimestamp", "trustedIdentities"),
      List.of("trustedIdentities"));
  static final Shape ENVIRONMENT = shape("environmentRules", "environment",
      List.of("mode", "signatures", "promotions", "attestations"), List.of());
  static final Shape PROMOTION = shape("promotionRule", "promotion",
      List.of("environment", "signedBy", "maxAge"), List.of("environment", "signedBy"));
  static final Shape ATTESTATION = shape("attestationRule", "attestation",
      List.of("predicateType", "signedBy", "condition"), List.of("predicateType", "signedBy"));

  /** Every shape by schema name, for the schema test. */
  static final Map<String, Shape> ALL;

  static {
    Map<String, Shape> all = new LinkedHashMap<>();
    for (Shape s : List.of(GATE_CONFIG, PROMOTION_POLICY, METADATA, POLICY_METADATA, GATE_SPEC,
        NAMESPACE_RULE, REGISTRY, TRUSTED_ROOT_MIRROR, CACHE, CREDENTIALS, TIMEOUTS, LIMITS, BREAK_GLASS, POLICY_SPEC,
        AUTHORITY, KEY, KEYLESS, CERTIFICATE_CHAIN, NOTATION, TRUSTED_ROOT_SOURCE, TUF, IDENTITY, CERTIFICATE_IDENTITY,
        ENVIRONMENT, PROMOTION, ATTESTATION)) {
      all.put(s.name(), s);
    }
    ALL = Map.copyOf(all);
  }

  private PolicyShapes() {}

  /** Issuer and subject, exact or by regular expression, then every Fulcio certificate extension. */
  private static List<String> identityKeys() {
    List<String> keys = new java.util.ArrayList<>(List.of("issuer", "issuerRegExp", "subject", "subjectRegExp"));
    keys.addAll(CertificateExtension.policyKeys());
    return keys;
  }

  private static Shape shape(String name, String label, List<String> keys, List<String> required) {
    return new Shape(name, label, List.copyOf(keys), List.copyOf(required));
  }
}
