package dev.promgate.cli;

import dev.promgate.policy.Durations;
import dev.promgate.tls.DevCertificates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code promgate certs generate}. */
@Command(name = "certs", description = "Serving certificates for the webhook.",
    subcommands = CertsCommand.Generate.class, mixinStandardHelpOptions = true)
public final class CertsCommand {

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Write a development CA (ca.crt) and a serving certificate (tls.crt, tls.key) for the "
          + "given names. The CA key is not kept.",
      footer = {"", "Exit status: 0 written; 1 refused (the files exist; --force replaces them) or could not be "
          + "written; 2 usage or input error."})
  static final class Generate implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the files")
    Path out;

    @Option(names = "--dns", paramLabel = "NAME", description = "a DNS name of the webhook service (repeatable); "
        + "default: promgate, promgate.promgate-system, promgate.promgate-system.svc, "
        + "promgate.promgate-system.svc.cluster.local, localhost")
    List<String> dns = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDRESS", description = "an IP address (repeatable); default 127.0.0.1 "
        + "when no --dns is given")
    List<String> ips = new ArrayList<>();

    @Option(names = "--validity", defaultValue = "8760h", description = "how long the certificates are valid "
        + "(default: ${DEFAULT-VALUE})")
    String validity;

    @Option(names = "--force", description = "replace existing files")
    boolean force;

    @Override
    public Integer call() {
      java.time.Duration valid;
      try {
        valid = Durations.parse(validity);
      } catch (RuntimeException e) {
        throw CommandFailure.input("--validity " + validity + ": " + e.getMessage());
      }
      boolean defaults = dns.isEmpty() && ips.isEmpty();
      var generated = DevCertificates.generate(out,
          defaults ? DevCertificates.DEFAULT_DNS_NAMES : dns,
          defaults ? DevCertificates.DEFAULT_IP_ADDRESSES : ips,
          valid, force);
      var cert = generated.serving();
      spec.commandLine().getOut().printf("wrote %s (CA), %s and %s; valid until %s for %s%n",
          out.resolve(DevCertificates.CA_FILE), out.resolve("tls.crt"), out.resolve("tls.key"),
          cert.notAfter(), String.join(", ", concat(cert.dnsNames(), cert.ipAddresses())));
      spec.commandLine().getOut().flush();
      return 0;
    }

    private static List<String> concat(List<String> a, List<String> b) {
      List<String> all = new ArrayList<>(a);
      all.addAll(b);
      return all;
    }
  }
}
