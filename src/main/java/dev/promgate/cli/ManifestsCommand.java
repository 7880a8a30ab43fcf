package dev.promgate.cli;

import dev.promgate.manifests.AdmissionPolicy;
import dev.promgate.manifests.WebhookConfiguration;
import dev.promgate.policy.PemCertificates;
import dev.promgate.policy.PolicySet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code promgate manifests webhook} and {@code promgate manifests admission-policy}. */
@Command(name = "manifests", description = "Kubernetes manifests generated from the policies.",
    subcommands = {ManifestsCommand.Webhook.class, ManifestsCommand.AdmissionPolicyCommand.class},
    mixinStandardHelpOptions = true,
    footer = {"", "Exit status: 0 printed; 1 the policies have problems; 2 usage or input error."})
public final class ManifestsCommand {

  /** Where promgate is installed, the namespace the generated manifests leave out. */
  static final String NAMESPACE_HELP = "namespace promgate is installed in: the Service's namespace, never gated "
      + "itself (default: ${DEFAULT-VALUE})";

  /** What both manifests are generated from: the policies, and the namespace promgate is installed in. */
  static final class Source {
    @Option(names = "--policies", defaultValue = "policies", paramLabel = "DIR",
        description = "the policy directory (default: ${DEFAULT-VALUE})")
    Path policies;

    @Option(names = "--namespace", defaultValue = WebhookConfiguration.Target.DEFAULT_NAMESPACE,
        description = NAMESPACE_HELP)
    String namespace;
  }

  @Command(name = "webhook", mixinStandardHelpOptions = true,
      description = {"Print the ValidatingWebhookConfiguration for the environments the policies define.",
          "Gated: namespaces labelled promgate.dev/environment=<env>; namespaces without the label only when "
              + "the GateConfig says unlabelledNamespaces: gate. The output's first lines say which."},
      footer = {"", "Exit status: 0 printed; 1 the policies have problems; 2 usage or input error (a --ca-bundle "
          + "that is missing, holds no certificate or holds a private key; nothing is printed then)."})
  static final class Webhook implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Source source;

    @Option(names = "--service", defaultValue = "promgate", description = "name of the promgate Service")
    String service;

    @Option(names = "--ca-bundle", paramLabel = "FILE", description = "PEM CA certificate(s) to put into caBundle "
        + "(e.g. certs/ca.crt; only CERTIFICATE blocks, never a key); implies --no-cert-manager")
    Path caBundle;

    @Option(names = "--no-cert-manager", description = "omit the cert-manager CA injection annotation")
    boolean noCertManager;

    @Option(names = "--failure-policy", defaultValue = "Fail", paramLabel = "Fail|Ignore",
        description = "when the API server cannot reach promgate: Fail denies (enforcing), Ignore admits "
            + "(the audit rollout) (default: ${DEFAULT-VALUE})")
    WebhookConfiguration.FailurePolicy failurePolicy;

    @Override
    public Integer call() {
      Optional<byte[]> ca = caBundle == null ? Optional.empty() : Optional.of(caBundle(caBundle));
      PolicySet set = PolicyDirectory.load(source.policies, spec.commandLine().getErr());
      Optional<String> injectFrom = noCertManager || ca.isPresent() ? Optional.empty()
          : Optional.of(source.namespace + "/promgate-serving");
      spec.commandLine().getOut().print(WebhookConfiguration.yaml(set,
          new WebhookConfiguration.Target(source.namespace, service, ca, injectFrom, failurePolicy)));
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "admission-policy", mixinStandardHelpOptions = true,
      description = {"Print a ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1, "
          + "Kubernetes 1.30+) that deny images not referenced by digest in the namespaces the webhook gates, "
          + "evaluated by the API server itself: the digest rule holds while promgate is unreachable or its "
          + "webhook's failurePolicy is Ignore.",
          "Containers, init and ephemeral containers and image volumes of every workload kind; on UPDATE only "
              + "new images."},
      footer = {"", "Exit status: 0 printed; 1 the policies have problems; 2 usage or input error."})
  static final class AdmissionPolicyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Source source;

    @Override
    public Integer call() {
      PolicySet set = PolicyDirectory.load(source.policies, spec.commandLine().getErr());
      WebhookConfiguration.Target target = new WebhookConfiguration.Target(source.namespace, "promgate", Optional.empty(),
          Optional.empty(), WebhookConfiguration.FailurePolicy.Fail);
      spec.commandLine().getOut().print(AdmissionPolicy.yaml(set, target));
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** The bytes of a CA bundle, after checking that it holds certificates and nothing else. */
  static byte[] caBundle(Path file) {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw CommandFailure.input("--ca-bundle " + file + " does not exist");
    } catch (IOException e) {
      throw CommandFailure.input("cannot read --ca-bundle " + file + ": " + e.getMessage());
    }
    try {
      PemCertificates.read(file.toString(), content);
    } catch (PemCertificates.Invalid e) {
      throw CommandFailure.input("--ca-bundle " + e.getMessage() + "; nothing printed");
    }
    return content;
  }
}
