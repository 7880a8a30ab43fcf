package dev.promgate.cli;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.json.Mappers;
import dev.promgate.policy.Authority;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.verification.AuthorityCheck;
import dev.promgate.verification.RequirementsEvaluator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code promgate verify}: tries one authority of the policies on signature material in hand —
 * before it reaches a cluster — with the same parsing and checks the webhook uses (like
 * {@code cosign verify-blob-attestation --bundle} or {@code notation verify} on a local layout).
 * Exit 0 when something verified, 1 when nothing did, 2 when the input cannot be used.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check signature material in hand (Sigstore bundle, Notation envelope with its manifest, cosign "
        + "signature with its payload, DSSE envelope, OCI image layout) against one authority of the policies. "
        + "Exit 0 verified, 1 not verified, 2 input error.")
public final class VerifyCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = Mappers.JSON;

  @Spec
  CommandSpec spec;

  @Option(names = "--policies", defaultValue = "policies", paramLabel = "DIR",
      description = "policy directory (default: ${DEFAULT-VALUE})")
  Path policies;

  @Option(names = "--authority", required = true, paramLabel = "NAME", description = "the authority to try")
  String authority;

  @Option(names = "--policy", paramLabel = "NAME",
      description = "the policy that declares the authority, when several declare different ones of that name")
  String policy;

  @Option(names = "--digest", required = true, paramLabel = "sha256:…", description = "the image digest the material must be for")
  String digestText;

  @Option(names = "--image", paramLabel = "REPOSITORY",
      description = "the repository, for messages (default: the repository of the first policy's first image glob)")
  String image;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE})")
  String output;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "files, or OCI image layout directories")
  List<Path> files;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("table") && !output.equals("json")) {
      err.println("promgate: --output must be table or json");
      return 2;
    }
    Digest digest;
    try {
      digest = Digest.parse(digestText);
    } catch (IllegalArgumentException e) {
      err.println("promgate: --digest " + digestText + " is not a digest (sha256:<64 hex>): " + e.getMessage());
      return 2;
    }
    PolicyLoadResult loaded = PolicyLoader.load(policies);
    if (loaded instanceof PolicyLoadResult.Failed failed) {
      failed.problems().forEach(err::println);
      return 2;
    }
    PolicySet set = ((PolicyLoadResult.Loaded) loaded).policies();
    Map<String, Authority> candidates = new LinkedHashMap<>();
    for (PromotionPolicy p : set.policies()) {
      Authority a = p.authorities().get(authority);
      if (a != null && (policy == null || policy.equals(p.name()))) {
        candidates.put(p.name(), a);
      }
    }
    if (candidates.isEmpty()) {
      err.println("promgate: no policy" + (policy == null ? "" : " named " + policy) + " in " + policies
          + " declares an authority \"" + authority + "\"");
      return 2;
    }
    if (candidates.values().stream().map(Object::toString).distinct().count() > 1) {
      err.println("promgate: the policies " + String.join(", ", candidates.keySet()) + " declare different authorities \""
          + authority + "\"; choose one with --policy");
      return 2;
    }
    Authority chosen = candidates.values().iterator().next();
    VerifyInputs inputs = new VerifyInputs(digest);
    dev.promgate.verification.SignedContent material;
    try {
      for (Path f : files) {
        inputs.read(f);
      }
      material = inputs.attachments();
    } catch (VerifyInputs.InputException e) {
      err.println("promgate: " + e.getMessage());
      return 2;
    }
    ImageReference subject;
    try {
      subject = ImageReference.parse((image == null ? "offline.invalid/verify" : image) + "@" + digest);
    } catch (InvalidReferenceException e) {
      err.println("promgate: --image " + image + " is not a repository: " + e.getMessage());
      return 2;
    }
    if (material.isEmpty()) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(output.equals("json")
          ? JSON.createObjectNode().put("digest", digest.toString()).put("authority", chosen.name()).put("verified", false)
              .put("problem", "no signature material for this digest in the files given").toPrettyString()
          : digest + " NOT verified for " + chosen.name() + ": no signature material for this digest in the files given");
      out.flush();
      return 1;
    }
    List<AuthorityCheck> results = new RequirementsEvaluator(Clock.systemUTC()).check(subject, material, chosen);
    boolean verified = results.stream().anyMatch(AuthorityCheck::verified);
    PrintWriter out = spec.commandLine().getOut();
    if (output.equals("json")) {
      ObjectNode root = JSON.createObjectNode();
      root.put("digest", digest.toString());
      root.put("authority", chosen.name());
      root.put("verified", verified);
      ArrayNode list = root.putArray("results");
      for (AuthorityCheck r : results) {
        ObjectNode n = list.addObject();
        n.put("source", r.source());
        n.put("kind", r.kind());
        n.put("verified", r.verified());
        r.identity().ifPresent(i -> n.put("identity", i));
        inputs.evidence(r.source()).filter(s -> !s.isEmpty()).ifPresent(s -> n.put("transparency", s));
        r.problem().ifPresent(p -> n.put("problem", p));
      }
      out.println(root.toPrettyString());
    } else {
      for (AuthorityCheck r : results) {
        if (r.verified()) {
          out.println("VERIFIED      " + r.kind() + " " + r.source() + " by " + chosen.name() + ": " + r.identity().orElse("")
              + inputs.evidence(r.source()).filter(s -> !s.isEmpty()).map(s -> "; " + s).orElse(""));
        } else {
          out.println("NOT VERIFIED  " + r.kind() + " " + r.source() + ": " + r.problem().orElse(""));
        }
      }
      out.println(verified ? digest + " verified for " + chosen.name()
          : digest + " NOT verified for " + chosen.name() + " (" + results.size() + " checked)");
    }
    out.flush();
    return verified ? 0 : 1;
  }
}
