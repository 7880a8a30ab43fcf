package dev.promgate.cli;

import dev.promgate.manifests.WebhookConfiguration;
import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code promgate manifests webhook}. */
@Command(name = "manifests", description = "Kubernetes manifests generated from the policies.",
    subcommands = ManifestsCommand.Webhook.class, mixinStandardHelpOptions = true)
public final class ManifestsCommand {

  @Command(name = "webhook", mixinStandardHelpOptions = true,
      description = "Print the ValidatingWebhookConfiguration for the environments the policies define.")
  static final class Webhook implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--policies", defaultValue = "policies", paramLabel = "DIR",
        description = "the policy directory (default: ${DEFAULT-VALUE})")
    Path policies;

    @Option(names = "--namespace", defaultValue = "promgate-system", description = "namespace of the promgate Service")
    String namespace;

    @Option(names = "--service", defaultValue = "promgate", description = "name of the promgate Service")
    String service;

    @Option(names = "--ca-bundle", paramLabel = "FILE", description = "PEM CA certificate to put into caBundle "
        + "(e.g. certs/ca.crt); implies --no-cert-manager")
    Path caBundle;

    @Option(names = "--no-cert-manager", description = "omit the cert-manager CA injection annotation")
    boolean noCertManager;

    @Override
    public Integer call() throws IOException {
      PolicyLoadResult result = PolicyLoader.load(policies);
      if (result instanceof PolicyLoadResult.Failed failed) {
        failed.problems().forEach(spec.commandLine().getErr()::println);
        return 1;
      }
      var set = ((PolicyLoadResult.Loaded) result).policies();
      Optional<byte[]> ca = caBundle == null ? Optional.empty() : Optional.of(Files.readAllBytes(caBundle));
      Optional<String> injectFrom = noCertManager || ca.isPresent() ? Optional.empty()
          : Optional.of(namespace + "/promgate-serving");
      spec.commandLine().getOut().print(WebhookConfiguration.yaml(set,
          new WebhookConfiguration.Target(namespace, service, ca, injectFrom)));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
