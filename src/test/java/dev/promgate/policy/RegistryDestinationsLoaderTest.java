package dev.promgate.policy;

import static dev.promgate.policy.PolicyFiles.API;
import static dev.promgate.policy.PolicyFiles.SHOP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GateConfig {@code tokenHosts} and {@code redirectHosts}: read, checked, defaults when absent. */
class RegistryDestinationsLoaderTest {

  @TempDir
  Path dir;

  @Test
  void listedHostsAreReadAndAbsentOnesFallBackToTheDefaults() {
    PolicySet set = PolicyFiles.withKeys(dir).write("shop.yaml", SHOP).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          registries:
            - host: registry.acme.example
              tokenHosts: [auth.acme.example, "token.acme.example:8443"]
              redirectHosts: ["*.storage.acme.example"]
            - host: docker.io
            - host: ghcr.io
              redirectHosts: []
        """).loaded();
    GateConfig.RegistrySettings acme = set.gate().registry("registry.acme.example").orElseThrow();
    assertEquals("[auth.acme.example, token.acme.example:8443]", acme.allowedTokenHosts().toString());
    assertEquals("[*.storage.acme.example]", acme.allowedRedirectHosts().toString());
    GateConfig.RegistrySettings hub = set.gate().registry("docker.io").orElseThrow();
    assertEquals(Optional.empty(), hub.tokenHosts());
    assertEquals("[auth.docker.io]", hub.allowedTokenHosts().toString());
    assertEquals(List.of(), set.gate().registry("ghcr.io").orElseThrow().allowedRedirectHosts());
  }

  @Test
  void badHostsAreProblemsWithTheirPosition() {
    List<String> problems = PolicyFiles.withKeys(dir).write("shop.yaml", SHOP).write("gate.yaml", API + """
        kind: GateConfig
        spec:
          registries:
            - host: registry.acme.example
              tokenHosts: ["https://auth.acme.example/token"]
              redirectHosts: ["*.com", 5]
        """).problems();
    assertEquals(List.of(
        "gate.yaml:6:20: tokenHosts: \"https://auth.acme.example/token\" is not a host: write host or host:port,"
            + " without scheme or path",
        "gate.yaml:7:23: redirectHosts: host \"*.com\" puts a '*' within the last two labels; a pattern must name"
            + " its domain, as in *.blob.core.windows.net",
        "gate.yaml:7:32: redirectHosts entries must be a string, not a number (5) (quote it, \"5\", if you mean"
            + " the text)"), problems);
  }
}
