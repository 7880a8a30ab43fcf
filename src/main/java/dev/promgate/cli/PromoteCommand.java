package dev.promgate.cli;

import dev.promgate.policy.PolicySet;
import dev.promgate.promotion.PromotionOutcome;
import dev.promgate.promotion.PromotionRequest;
import dev.promgate.promotion.PromotionWorkflow;
import dev.promgate.promotion.SigningKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code promgate promote IMAGE@DIGEST --env ENV --key KEY}: signs a promotion attestation and
 * pushes it where {@code cosign attest} would. Exit 0: promoted and counted by the policies;
 * 1: refused, nothing pushed; 3: pushed, but the policies do not count it (wrong key).
 */
@Command(name = "promote", mixinStandardHelpOptions = true,
    description = {
        "Promote an image digest to an environment. Before pushing anything it checks that the digest exists, "
            + "that the key signs for an authority the policies accept for promotions to ENV, that the digest "
            + "meets ENV's signature requirement, and that it is admissible in the environment before (the "
            + "webhook's own verification); then it signs a promotion attestation with a cosign-compatible key "
            + "and pushes it where cosign attest would (sha256-<hex>.att).",
        "Exit status: 0 promoted; 1 refused (a key the policies do not accept, unsigned, not admissible before), "
            + "nothing pushed; 2 usage or input error (unknown environment, --force without --force-reason, "
            + "unreadable key or wrong password, bad --promoted-at, registry configuration error), nothing pushed; "
            + "3 pushed, but the policies do not count it."},
    footer = {"",
        "The password of a cosign key comes from --password-file, else COSIGN_PASSWORD, else a prompt.",
        "",
        "Example:",
        "  promgate promote registry.acme.example/shop/web@sha256:4f1c… \\",
        "      --env prod --key release.key --policies policies \\",
        "      --approver alice@acme.example --change CHG-1234"})
public final class PromoteCommand implements Callable<Integer> {

  static final int NOT_COUNTED = 3;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "IMAGE@DIGEST", description = "the image to promote, by digest")
  String image;

  @Option(names = "--env", required = true, paramLabel = "ENV", description = "environment to promote to")
  String environment;

  @Option(names = "--key", required = true, paramLabel = "KEY",
      description = "private key: cosign.key (ENCRYPTED SIGSTORE/COSIGN PRIVATE KEY), PKCS#8 PRIVATE KEY, "
          + "EC PRIVATE KEY or RSA PRIVATE KEY")
  Path key;

  @Option(names = "--policies", defaultValue = "policies", paramLabel = "DIR",
      description = "policy directory: registries, credentials and requirements (default: ${DEFAULT-VALUE})")
  Path policies;

  @Option(names = "--from", paramLabel = "ENV",
      description = "the environment the digest must already be admissible in (default: the one the policies' "
          + "promotion chain names before ENV, if any)")
  String from;

  @Option(names = "--approver", description = "who approved the promotion, e.g. alice@acme.example")
  String approver;

  @Option(names = "--change", description = "change ticket, e.g. CHG-1234")
  String change;

  @Option(names = "--pipeline-run", paramLabel = "URL", description = "the pipeline run that promotes")
  String pipelineRun;

  @Option(names = "--source-repo", paramLabel = "URL", description = "source repository of the image")
  String sourceRepository;

  @Option(names = "--source-commit", paramLabel = "SHA", description = "source commit of the image")
  String sourceCommit;

  @Option(names = "--promoted-at", paramLabel = "TIME", description = "promotion time, RFC 3339 (default: now)")
  String promotedAt;

  @Option(names = "--force",
      description = "promote even if the digest is not admissible in the environment before (recorded as "
          + "forced: true with --force-reason, and without a from); the key and signature checks still apply")
  boolean force;

  @Option(names = "--force-reason", paramLabel = "TEXT",
      description = "why --force is used, e.g. an incident ticket; required with --force, recorded in the predicate")
  String forceReason;

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "file holding the key's password (- for standard input)")
  Path passwordFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (force && (forceReason == null || forceReason.isBlank())) {
      throw CommandFailure.input("--force needs --force-reason TEXT (recorded in the promotion with forced: true); "
          + "nothing promoted");
    }
    Optional<Instant> at = Optional.empty();
    if (promotedAt != null) {
      try {
        at = Optional.of(OffsetDateTime.parse(promotedAt).toInstant());
      } catch (DateTimeParseException e) {
        throw CommandFailure.input("--promoted-at \"" + promotedAt
            + "\" is not an RFC 3339 time such as 2026-11-26T09:00:00Z");
      }
    }
    PolicySet set = PolicyDirectory.load(policies, err);
    if (!set.environments().contains(environment)) {
      throw CommandFailure.input("environment \"" + environment + "\" is not defined by the policies (known: "
          + String.join(", ", set.environments()) + "); nothing promoted");
    }
    SigningKey signingKey;
    try {
      signingKey = SigningKey.read(key, KeyPasswords.of(Optional.ofNullable(passwordFile), System.getenv(),
          System.console(), System.in));
    } catch (SigningKey.Unusable e) {
      throw CommandFailure.input(e.getMessage() + "; nothing promoted");
    }
    PromotionRequest request = new PromotionRequest(image, environment, Optional.ofNullable(from),
        Optional.ofNullable(approver), Optional.ofNullable(change), Optional.ofNullable(pipelineRun),
        Optional.ofNullable(sourceRepository), Optional.ofNullable(sourceCommit), at, force,
        Optional.ofNullable(forceReason));
    PromotionOutcome outcome;
    try (PromotionWorkflow workflow = PromotionWorkflow.open(set, Clock.systemUTC())) {
      outcome = workflow.promote(request, signingKey);
    }
    if (outcome instanceof PromotionOutcome.Refused refused) {
      err.println("promgate: not promoted: " + refused.reason());
      err.flush();
      return 1;
    }
    PromotionOutcome.Promoted done = (PromotionOutcome.Promoted) outcome;
    out.println("promoted " + done.image() + " to " + done.predicate().environment());
    out.println("  attestation  " + done.attestation() + " (manifest " + done.manifest() + ")");
    out.println("  predicate    " + done.predicate().json());
    out.println("  signed with  " + signingKey);
    out.println("  counts as    " + done.signedBy().map(s -> "promotion by " + s).orElse("nothing (see the warning)"));
    if (done.admissible()) {
      out.println("  admissible   yes, in " + done.predicate().environment() + " now");
    } else {
      out.println("  admissible   not yet in " + done.predicate().environment() + ":");
      done.admissionProblems().forEach(p -> out.println("    " + p));
    }
    done.notes().forEach(n -> out.println("note: " + n));
    out.flush();
    if (!done.counts()) {
      err.println("WARNING: the promotion was pushed, but the webhook will not count it: "
          + done.notCounted().orElse(""));
      err.flush();
      return NOT_COUNTED;
    }
    return 0;
  }
}
