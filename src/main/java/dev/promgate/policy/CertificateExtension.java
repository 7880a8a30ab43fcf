package dev.promgate.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The Fulcio certificate extensions an identity rule can match by name, as Fulcio's OID directory
 * (1.3.6.1.4.1.57264.1.*) defines them and sigstore-go names them. They say which CI run asked for
 * the certificate: a reusable workflow's certificate names the workflow in its SAN, and only these
 * extensions name the repository that called it.
 *
 * <p>Extensions from 1.3.6.1.4.1.57264.1.8 on hold a DER string; the deprecated GitHub-specific ones
 * (.1.2 to .1.6) hold the raw bytes of the value.
 */
public enum CertificateExtension {
  GITHUB_WORKFLOW_TRIGGER("githubWorkflowTrigger", 2, false),
  GITHUB_WORKFLOW_SHA("githubWorkflowSHA", 3, false),
  GITHUB_WORKFLOW_NAME("githubWorkflowName", 4, false),
  GITHUB_WORKFLOW_REPOSITORY("githubWorkflowRepository", 5, false),
  GITHUB_WORKFLOW_REF("githubWorkflowRef", 6, false),
  BUILD_SIGNER_URI("buildSignerURI", 9, true),
  BUILD_SIGNER_DIGEST("buildSignerDigest", 10, true),
  RUNNER_ENVIRONMENT("runnerEnvironment", 11, true),
  SOURCE_REPOSITORY_URI("sourceRepositoryURI", 12, true),
  SOURCE_REPOSITORY_DIGEST("sourceRepositoryDigest", 13, true),
  SOURCE_REPOSITORY_REF("sourceRepositoryRef", 14, true),
  SOURCE_REPOSITORY_IDENTIFIER("sourceRepositoryIdentifier", 15, true),
  SOURCE_REPOSITORY_OWNER_URI("sourceRepositoryOwnerURI", 16, true),
  SOURCE_REPOSITORY_OWNER_IDENTIFIER("sourceRepositoryOwnerIdentifier", 17, true),
  BUILD_CONFIG_URI("buildConfigURI", 18, true),
  BUILD_CONFIG_DIGEST("buildConfigDigest", 19, true),
  BUILD_TRIGGER("buildTrigger", 20, true),
  RUN_INVOCATION_URI("runInvocationURI", 21, true),
  SOURCE_REPOSITORY_VISIBILITY_AT_SIGNING("sourceRepositoryVisibilityAtSigning", 22, true),
  DEPLOYMENT_ENVIRONMENT("deploymentEnvironment", 23, true);

  private static final String FULCIO_ARC = "1.3.6.1.4.1.57264.1.";

  private final String policyName;
  private final String oid;
  private final boolean derString;

  CertificateExtension(String policyName, int arc, boolean derString) {
    this.policyName = policyName;
    this.oid = FULCIO_ARC + arc;
    this.derString = derString;
  }

  /** The key an identity rule uses for an exact match; {@code + "RegExp"} for a regular expression. */
  public String policyName() {
    return policyName;
  }

  public String oid() {
    return oid;
  }

  /** Whether the extension value is a DER string (else the raw bytes of a UTF-8 value). */
  public boolean derString() {
    return derString;
  }

  public static Optional<CertificateExtension> byPolicyName(String name) {
    return Arrays.stream(values()).filter(e -> e.policyName.equals(name)).findFirst();
  }

  /** Every policy key the extensions add to an identity rule, exact then regular expression, in order. */
  public static List<String> policyKeys() {
    return Arrays.stream(values()).flatMap(e -> java.util.stream.Stream.of(e.policyName, e.policyName + "RegExp")).toList();
  }

  @Override
  public String toString() {
    return policyName + " (" + oid + ")";
  }
}
