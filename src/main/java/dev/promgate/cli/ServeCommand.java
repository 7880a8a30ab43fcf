package dev.promgate.cli;

import dev.promgate.Server;
import dev.promgate.http.WebhookServer;
import dev.promgate.log.JsonLogging;
import dev.promgate.policy.Mode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code promgate serve}. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the admission webhook over HTTPS: POST /validate and /validate/{environment}; "
        + "GET /healthz, /readyz, /metrics.",
    footer = {"", "Exit status: 0 stopped by a signal; 1 could not start (port in use, no certificate); "
        + "2 usage error."})
public final class ServeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--policies", defaultValue = "policies", paramLabel = "DIR",
      description = "policy directory, hot-reloaded (default: ${DEFAULT-VALUE})")
  Path policies;

  @Option(names = "--certs", defaultValue = "certs", paramLabel = "DIR",
      description = "tls.crt and tls.key; a development certificate is generated when the folder has "
          + "neither (default: ${DEFAULT-VALUE})")
  Path certs;

  @Option(names = "--port", defaultValue = "8443", description = "HTTPS port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--mode", description = "audit: admit everything and report what would be denied as "
      + "warnings, audit annotations and log lines; enforce: deny in every environment; either way "
      + "whatever the policies say")
  Mode mode;

  @Option(names = "--max-body", defaultValue = "8388608", paramLabel = "BYTES",
      description = "largest AdmissionReview accepted (default: ${DEFAULT-VALUE})")
  long maxBody;

  @Option(names = "--event-loops", paramLabel = "N",
      description = "event loops taking requests; they share the policies, the verdict cache and the "
          + "registry connections (default: one per available processor)")
  Integer eventLoops;

  @Option(names = "--warm-up", defaultValue = "5", paramLabel = "SECONDS",
      description = "at startup, run the decision path and open registry connections for at most this long "
          + "before /readyz reports ready; 0 for none (default: ${DEFAULT-VALUE})")
  int warmUpSeconds;

  @Option(names = "--log-level", defaultValue = "info", paramLabel = "LEVEL",
      description = "debug, info, warn or error (java.util.logging names such as FINE or SEVERE work too) "
          + "(default: ${DEFAULT-VALUE})")
  String logLevel;

  /** {@code debug}, {@code info}, {@code warn}, {@code error} as every other server spells them, or a JUL level name. */
  static Level level(String name) {
    String n = name.trim().toLowerCase(java.util.Locale.ROOT);
    switch (n) {
      case "trace": return Level.FINEST;
      case "debug": return Level.FINE;
      case "info": return Level.INFO;
      case "warn": case "warning": return Level.WARNING;
      case "error": case "severe": return Level.SEVERE;
      default:
        try {
          return Level.parse(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw CommandFailure.input("--log-level " + name + " is not a level; use debug, info, warn or error");
        }
    }
  }

  @Override
  public Integer call() throws Exception {
    if (eventLoops != null && eventLoops < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--event-loops must be at least 1, found " + eventLoops);
    }
    if (warmUpSeconds < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--warm-up must be 0 (none) or more seconds, found " + warmUpSeconds);
    }
    JsonLogging.install(level(logLevel));
    Server server;
    try {
      server = Server.start(new Server.Options(policies, certs, host, port, Optional.ofNullable(mode),
              maxBody <= 0 ? WebhookServer.Settings.DEFAULT_BODY_LIMIT : maxBody,
              eventLoops == null ? WebhookServer.Settings.defaultEventLoops() : eventLoops,
              java.time.Duration.ofSeconds(warmUpSeconds)))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      spec.commandLine().getErr().println("promgate: could not start: " + cause.getMessage());
      spec.commandLine().getErr().flush();
      return ExitCodes.FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "promgate-shutdown"));
    stopped.await();
    return 0;
  }
}
