package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPatternTest {

  @ParameterizedTest(name = "{0} ~ {1}:{2} = {3}")
  @CsvSource({
      "auth.docker.io, auth.docker.io, 443, true",
      "auth.docker.io, AUTH.docker.io, 443, true",
      "auth.docker.io, auth.docker.io, 8443, false",
      "auth.docker.io:8443, auth.docker.io, 8443, true",
      "*.blob.core.windows.net, acct.blob.core.windows.net, 443, true",
      "*.blob.core.windows.net, blob.core.windows.net, 443, false",
      "*.blob.core.windows.net, a.b.blob.core.windows.net, 443, false",
      "*.blob.core.windows.net, evil.example/.blob.core.windows.net, 443, false",
      "prod-*-starport-layer-bucket.s3.*.amazonaws.com, prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com, 443, true",
      "prod-*-starport-layer-bucket.s3.*.amazonaws.com, prod--starport-layer-bucket.s3.us-east-1.amazonaws.com, 443, false",
      "cdn*.quay.io, cdn02.quay.io, 443, true",
      "cdn*.quay.io, cdn.quay.io, 443, false",
      "127.0.0.1:5001, 127.0.0.1, 5001, true",
      "127.0.0.1:5001, 127.0.0.1, 5002, false",
  })
  void matching(String pattern, String host, int port, boolean expected) {
    assertEquals(expected, HostPattern.parse(pattern).matches(host, port, 443));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "*|within the last two labels",
      "*.com|within the last two labels",
      "*.example.*|within the last two labels",
      "a.*.com|within the last two labels",
      "**.example.com|more than one '*'",
      "https://auth.docker.io|without scheme or path",
      "auth.docker.io/token|without scheme or path",
      "a..example.com|empty label",
      "host:99999|out of range",
      "host:abc|not a number",
      "10.*.0.1|IP address",
      "a_b.example.com|only letters",
  })
  void badPatternsSayWhatIsWrong(String pattern, String problem) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPattern.parse(pattern));
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }

  @Test
  void wellKnownRegistriesHaveDocumentedDefaults() {
    assertEquals("[auth.docker.io]", settings("docker.io").allowedTokenHosts().toString());
    assertTrue(allowsRedirect("docker.io", "production.cloudflare.docker.com"));
    assertTrue(allowsRedirect("ghcr.io", "pkg-containers.githubusercontent.com"));
    assertTrue(allowsRedirect("gcr.io", "storage.googleapis.com"));
    assertTrue(allowsRedirect("europe-west1-docker.pkg.dev", "storage.googleapis.com"));
    assertTrue(allowsRedirect("123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        "prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com"));
    assertTrue(allowsRedirect("acme.azurecr.io", "acmeeus2.blob.core.windows.net"));
    assertTrue(allowsRedirect("quay.io", "cdn01.quay.io"));
    assertFalse(allowsRedirect("docker.io", "pkg-containers.githubusercontent.com"));
  }

  @Test
  void anyOtherRegistryMaySendPromgateOnlyToItself() {
    assertEquals(List.of(), settings("registry.acme.example").allowedTokenHosts());
    assertEquals(List.of(), settings("registry.acme.example").allowedRedirectHosts());
    assertEquals(List.of(), settings("ghcr.io:8443").allowedRedirectHosts(), "a port makes it someone else's");
  }

  @Test
  void listedHostsReplaceTheDefaults() {
    GateConfig.RegistrySettings none = new GateConfig.RegistrySettings("docker.io", false, Optional.empty(),
        Optional.of(List.of()), Optional.of(List.of()));
    assertEquals(List.of(), none.allowedTokenHosts());
    assertEquals(List.of(), none.allowedRedirectHosts());
  }

  private static GateConfig.RegistrySettings settings(String host) {
    return new GateConfig.RegistrySettings(host, false, Optional.empty());
  }

  private static boolean allowsRedirect(String registry, String host) {
    return settings(registry).allowedRedirectHosts().stream().anyMatch(p -> p.matches(host, 443, 443));
  }
}
