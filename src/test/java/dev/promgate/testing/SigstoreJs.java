package dev.promgate.testing;

import dev.promgate.json.Mappers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * An independent signer for tests: sigstore-js ({@code @sigstore/sign}, {@code @sigstore/mock},
 * {@code @sigstore/oci}) driven through {@code src/test/js/signer.mjs}, so that promgate is
 * tested against keyless signatures and attestations that promgate's own code did not make.
 *
 * <p>A {@link Instance} is a local Sigstore (Fulcio root → intermediate, CT log, Rekor v1,
 * optionally a timestamp authority) whose {@code trusted_root.json} a verifier can be given. Its
 * directory can be re-used across runs. Signing pushes the bundle to the image in a registry as an
 * OCI referrer (the {@code sha256-<hex>} referrers tag on registries without the referrers API)
 * unless {@link Option#noPush()} is given.
 *
 * <p>Needs {@code node} and {@code npm ci --prefix src/test/js}. Without them the calling test is
 * skipped with a message, except under {@code CI=true}, where their absence fails it.
 *
 * <p>Each call runs its own {@code node} process and the object holds no mutable state, so calls
 * may come from any thread; but bundles for the same image digest should be pushed one after
 * another, because the referrers tag index is read, extended and written back.
 */
public final class SigstoreJs {

  /** Predicate type of cosign 3's image signatures ({@code cosign sign --new-bundle-format}). */
  public static final String COSIGN_SIGN_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1";
  /** Media type (and OCI artifact type) of the bundles this signer writes. */
  public static final String BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

  private static final ObjectMapper JSON = Mappers.JSON;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int EXIT_NOT_VERIFIED = 2;

  private final Path script;

  private SigstoreJs(Path script) {
    this.script = script;
  }

  /**
   * The signer of this project ({@code src/test/js/signer.mjs} under the Maven {@code basedir},
   * else the working directory), or a skipped test (a failed one under {@code CI=true}) when
   * sigstore-js is not installed.
   */
  public static SigstoreJs require() {
    Setup setup = Setup.ONCE;
    if (setup.problem() != null) {
      unavailable(setup.problem());
    }
    return new SigstoreJs(setup.script());
  }

  /** Where the script is and what, if anything, keeps it from running; looked at once per JVM. */
  private record Setup(Path script, String problem) {
    static final Setup ONCE = inspect();

    private static Setup inspect() {
      String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
      Path jsDir = Path.of(basedir, "src", "test", "js").toAbsolutePath().normalize();
      Path script = jsDir.resolve("signer.mjs");
      if (!Files.isRegularFile(script)) {
        return new Setup(script, "the signer script is missing: " + script);
      }
      if (!Files.isDirectory(jsDir.resolve("node_modules").resolve("@sigstore").resolve("sign"))) {
        return new Setup(script, "sigstore-js is not installed in " + jsDir + " (run: npm ci --prefix src/test/js)");
      }
      if (!nodeRuns()) {
        return new Setup(script, "node is not on the PATH (the sigstore-js signer needs Node 20 or newer)");
      }
      return new Setup(script, null);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Commands
  // ------------------------------------------------------------------------------------------

  /** Creates a Sigstore instance in {@code dir}, or re-uses the one already there. */
  public Instance trustRoot(Path dir) {
    return trustRoot(dir, false);
  }

  /**
   * Creates a Sigstore instance in {@code dir}, with a timestamp authority when {@code withTsa};
   * a directory that already holds an instance keeps it as it was created.
   */
  public Instance trustRoot(Path dir, boolean withTsa) {
    List<String> args = new ArrayList<>(List.of("trust-root", "--out", dir.toString()));
    if (withTsa) {
      args.add("--tsa");
    }
    JsonNode out = run(args).json();
    return new Instance(dir, Path.of(out.path("trustedRoot").asText()),
        out.path("created").asBoolean(), out.path("tsa").asBoolean());
  }

  /**
   * A keyless signature of {@code image.digest()} as cosign 3 makes it: a DSSE bundle whose
   * in-toto statement has predicate type {@link #COSIGN_SIGN_PREDICATE_TYPE} and a subject with a
   * digest and no name (or, with {@link Option#messageSignature()}, a message signature over the
   * image manifest).
   */
  public Signed signImage(Instance instance, Image image, String identity, String issuer, Option... options) {
    List<String> args = imageArgs("sign-image", instance, image, identity, issuer);
    return signed(run(withOptions(args, options)).json());
  }

  /**
   * A keyless DSSE attestation of {@code image.digest()}: an in-toto statement (v1 unless
   * {@link Option#statementVersion(String)}) with the given predicate, subject name
   * {@code registry/repository} and the digest.
   */
  public Signed attestImage(Instance instance, Image image, String identity, String issuer,
      String predicateType, String predicateJson, Option... options) {
    List<String> args = imageArgs("attest-image", instance, image, identity, issuer);
    args.addAll(List.of("--predicate-type", predicateType, "--predicate-json", predicateJson));
    return signed(run(withOptions(args, options)).json());
  }

  /**
   * A keyless image signature in cosign's legacy layout: one layer of a {@code sha256-<hex>.sig}
   * manifest as {@code cosign sign --timestamp-server-url} (cosign 2, without
   * {@code --new-bundle-format}) writes it — the simple-signing payload for {@code digest}, and the
   * signature, certificate, chain, Rekor bundle (unless {@code logged} is false, as with
   * {@code --tlog-upload=false}) and, when the instance has a timestamp authority, RFC 3161
   * timestamp annotations.
   */
  public LegacySignature cosignSignLegacy(Instance instance, String digest, String dockerReference, String identity,
      String issuer, boolean logged) {
    List<String> args = new ArrayList<>(List.of("cosign-sign-legacy", "--instance", instance.dir().toString(),
        "--digest", digest, "--docker-reference", dockerReference, "--identity", identity, "--issuer", issuer));
    if (!logged) {
      args.add("--no-tlog");
    }
    JsonNode out = run(args).json();
    Map<String, String> annotations = new LinkedHashMap<>();
    out.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
    return new LegacySignature(Base64.getDecoder().decode(out.path("payload").asText()), out.path("mediaType").asText(),
        Map.copyOf(annotations));
  }

  /**
   * A keyless attestation in cosign's legacy layout: one layer of a {@code sha256-<hex>.att}
   * manifest as {@code cosign attest --timestamp-server-url --tlog-upload=false} (cosign 2) writes
   * it — the DSSE envelope of an in-toto statement about {@code digest}, and the predicate type,
   * certificate, chain and RFC 3161 timestamp (over the envelope bytes) annotations. The instance
   * needs a timestamp authority.
   */
  public LegacySignature cosignAttestLegacy(Instance instance, String digest, String dockerReference, String identity,
      String issuer, String predicateType, String predicateJson) {
    JsonNode out = run(List.of("cosign-attest-legacy", "--instance", instance.dir().toString(), "--digest", digest,
        "--docker-reference", dockerReference, "--identity", identity, "--issuer", issuer,
        "--predicate-type", predicateType, "--predicate-json", predicateJson)).json();
    Map<String, String> annotations = new LinkedHashMap<>();
    out.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
    return new LegacySignature(Base64.getDecoder().decode(out.path("envelope").asText()), out.path("mediaType").asText(),
        Map.copyOf(annotations));
  }

  /**
   * What sigstore-js ({@code @sigstore/verify}) says about a bundle under a trusted root:
   * signature, certificate chain, SCT, transparency log, and the optional checks — the in-toto
   * subject (or message digest) is {@code digest}, the SAN is {@code identity}, the issuer
   * extension is {@code issuer}. Pass null to skip an optional check. A message-signature bundle
   * needs the signed bytes: {@code artifact}, else null.
   */
  public Verification verify(Path trustedRoot, Path bundle, String digest, String identity, String issuer,
      Path artifact) {
    List<String> args = new ArrayList<>(List.of("verify", "--trusted-root", trustedRoot.toString(),
        "--bundle", bundle.toString()));
    addIfPresent(args, "--digest", digest);
    addIfPresent(args, "--identity", identity);
    addIfPresent(args, "--issuer", issuer);
    addIfPresent(args, "--artifact", artifact == null ? null : artifact.toString());
    JsonNode out = run(args, EXIT_NOT_VERIFIED).json();
    return new Verification(out.path("verified").asBoolean(), text(out, "identity"), text(out, "issuer"),
        text(out, "error"));
  }

  // ------------------------------------------------------------------------------------------
  // Values
  // ------------------------------------------------------------------------------------------

  /** A local Sigstore instance: its directory and the trusted root a verifier gets. */
  public record Instance(Path dir, Path trustedRoot, boolean created, boolean withTsa) {}

  /**
   * The image to sign. {@code registry} ({@code host:port}) may be null with
   * {@link Option#noPush()}.
   */
  public record Image(String registry, String repository, String digest) {
    public Image {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(digest, "digest");
    }

    /** {@code registry/repository}, or the repository alone without a registry. */
    public String name() {
      return registry == null ? repository : registry + "/" + repository;
    }
  }

  /** Where a bundle went in the registry: its manifest and the referrers tag that lists it. */
  public record Pushed(String image, String manifestDigest, String referrersTag) {}

  /**
   * A signing result: the bundle as written (after any {@link Option#tamper(Tamper)}), the file
   * it was written to (with {@link Option#out(Path)}), the signed statement (null for message
   * signatures), the leaf certificate, and where it was pushed (empty with
   * {@link Option#noPush()}).
   */
  public record Signed(String bundleJson, Optional<Path> bundlePath, JsonNode statement, String certificatePem,
      Optional<Pushed> pushed) {

    /** The bundle as a JSON tree. */
    public JsonNode bundle() {
      return parse(bundleJson);
    }
  }

  /** A cosign legacy {@code .sig} or {@code .att} layer: its content (payload or envelope), media type and annotations. */
  public record LegacySignature(byte[] payload, String mediaType, Map<String, String> annotations) {}

  /** The verdict of {@code @sigstore/verify}; {@code error} says why when not verified. */
  public record Verification(boolean verified, String identity, String issuer, String error) {}

  /** How {@link Option#tamper(Tamper)} alters a finished bundle. */
  public enum Tamper {
    /** The signed statement (DSSE only): the predicate gains a field. */
    PAYLOAD,
    /** One bit of the signature. */
    SIGNATURE,
    /** The subject digest (DSSE) or the message digest. */
    SUBJECT
  }

  /** An optional command-line switch of {@code sign-image} / {@code attest-image}. */
  public record Option(List<String> args) {
    public Option {
      args = List.copyOf(args);
    }

    /** Write the bundle to {@code file} too. */
    public static Option out(Path file) {
      return new Option(List.of("--out", file.toString()));
    }

    /** Do not push the bundle to the registry. */
    public static Option noPush() {
      return new Option(List.of("--no-push"));
    }

    /** Alter the bundle after signing. */
    public static Option tamper(Tamper how) {
      return new Option(List.of("--tamper", how.name().toLowerCase(Locale.ROOT)));
    }

    /** sign-image: a message signature over the image manifest instead of a DSSE statement. */
    public static Option messageSignature() {
      return new Option(List.of("--message-signature"));
    }

    /** sign-image with {@link #messageSignature()}: the manifest bytes, instead of fetching them. */
    public static Option manifest(Path file) {
      return new Option(List.of("--manifest", file.toString()));
    }

    /** sign-image: an annotation on the statement's subject (cosign's {@code -a key=value}). */
    public static Option annotation(String key, String value) {
      return new Option(List.of("--annotation", key + "=" + value));
    }

    /** attest-image: {@code v1} (default) or {@code v0.1}. */
    public static Option statementVersion(String version) {
      return new Option(List.of("--statement-version", version));
    }

    /** attest-image: the statement subject's name instead of {@code registry/repository}. */
    public static Option subjectName(String name) {
      return new Option(List.of("--subject-name", name));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Running node
  // ------------------------------------------------------------------------------------------

  private static List<String> imageArgs(String command, Instance instance, Image image, String identity,
      String issuer) {
    List<String> args = new ArrayList<>(List.of(command, "--instance", instance.dir().toString(),
        "--repo", image.repository(), "--digest", image.digest(), "--identity", identity, "--issuer", issuer));
    addIfPresent(args, "--registry", image.registry());
    return args;
  }

  private static List<String> withOptions(List<String> args, Option... options) {
    for (Option option : options) {
      args.addAll(option.args());
    }
    return args;
  }

  private static void addIfPresent(List<String> args, String flag, String value) {
    if (value != null) {
      args.add(flag);
      args.add(value);
    }
  }

  private static Signed signed(JsonNode out) {
    JsonNode pushed = out.path("pushed");
    return new Signed(
        out.path("bundle").toString(),
        Optional.ofNullable(text(out, "bundlePath")).map(Path::of),
        out.path("statement").isObject() ? out.path("statement") : null,
        out.path("certificate").asText(),
        pushed.isObject()
            ? Optional.of(new Pushed(pushed.path("image").asText(), pushed.path("manifestDigest").asText(),
                pushed.path("referrersTag").asText()))
            : Optional.empty());
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : null;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalStateException("signer.mjs printed something that is not JSON: " + json, e);
    }
  }

  private record Run(int exitCode, String stdout, String stderr) {
    JsonNode json() {
      return parse(stdout);
    }
  }

  private Run run(List<String> args, int... acceptedExitCodes) {
    List<String> command = new ArrayList<>(List.of("node", script.toString()));
    command.addAll(args);
    Run run = execute(command, script.getParent());
    if (run.exitCode() == 0) {
      return run;
    }
    for (int accepted : acceptedExitCodes) {
      if (run.exitCode() == accepted) {
        return run;
      }
    }
    throw new AssertionError("signer.mjs " + String.join(" ", args) + " exited with " + run.exitCode()
        + ": " + run.stdout().strip() + (run.stderr().isBlank() ? "" : "\n" + run.stderr().strip()));
  }

  private static Run execute(List<String> command, Path workingDir) {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(workingDir.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + command.get(0), e);
    }
    CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    try {
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("signer.mjs did not finish within " + TIMEOUT + ": " + command);
      }
      return new Run(process.exitValue(), stdout.join(), stderr.join());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean nodeRuns() {
    try {
      return execute(List.of("node", "--version"), Path.of(".")).exitCode() == 0;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  private static void unavailable(String message) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(message + "; under CI=true it is required");
    }
    System.err.println("SKIPPED: " + message);
    Assumptions.abort(message);
  }
}
