package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Await;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which docker-config entry applies to which registry and repository, and reloading. */
class DockerConfigCredentialsTest {

  static Vertx vertx;

  @TempDir
  Path temp;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  private static String auth(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private DockerConfigCredentials credentials(String json) throws IOException {
    Path file = temp.resolve("config.json");
    Files.writeString(file, json);
    return new DockerConfigCredentials(vertx, file, Duration.ZERO);
  }

  private static String user(DockerConfigCredentials c, String registry, String repository) {
    DockerConfigCredentials.Lookup l = Await.result(c.lookup(registry, repository,
        new Call(Instant.now().plusSeconds(10), java.time.Clock.systemUTC(), null)));
    return l.credential().map(cred -> cred instanceof RegistryCredential.Basic b ? b.username() : cred.toString())
        .orElse("none");
  }

  @Test
  void matchesKeysTheWayTheKubeletDoes() throws IOException {
    DockerConfigCredentials c = credentials("{\"auths\":{"
        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub", "p") + "\"},"
        + "\"registry.acme.example\":{\"auth\":\"" + auth("acme", "p") + "\"},"
        + "\"registry.acme.example/shop\":{\"auth\":\"" + auth("shop", "p") + "\"},"
        + "\"*.mirror.example\":{\"username\":\"mirror\",\"password\":\"p\"},"
        + "\"https://localhost:5000/v2/\":{\"auth\":\"" + auth("local", "p") + "\"}}}");

    assertEquals("hub", user(c, "docker.io", "library/nginx"));
    assertEquals("acme", user(c, "registry.acme.example", "other/web"));
    assertEquals("shop", user(c, "registry.acme.example", "shop/web"), "a path key is more specific");
    assertEquals("acme", user(c, "registry.acme.example", "shopping/web"), "paths match whole segments");
    assertEquals("mirror", user(c, "eu.mirror.example", "x/y"));
    assertEquals("none", user(c, "a.b.mirror.example", "x/y"), "a star is one DNS label");
    assertEquals("local", user(c, "localhost:5000", "x"));
    assertEquals("none", user(c, "localhost", "x"), "ports must match");
  }

  @Test
  void readsIdentityAndRegistryTokensAndNeverPrintsSecrets() throws IOException {
    DockerConfigCredentials c = credentials("{\"auths\":{"
        + "\"a.example\":{\"username\":\"u\",\"identitytoken\":\"refresh-secret\"},"
        + "\"b.example\":{\"registrytoken\":\"bearer-secret\"}}}");

    assertEquals("IdentityToken[u]", user(c, "a.example", "x"));
    assertEquals("RegistryToken[…]", user(c, "b.example", "x"));
  }

  @Test
  void aBrokenFileKeepsTheLastGoodEntriesAndSaysWhy() throws IOException {
    DockerConfigCredentials c = credentials("{\"auths\":{\"a.example\":{\"auth\":\"" + auth("u", "p") + "\"}}}");
    assertEquals("u", user(c, "a.example", "x"));

    Files.writeString(temp.resolve("config.json"), "{\"auths\":");

    DockerConfigCredentials.Lookup l = Await.result(c.lookup("a.example", "x",
        new Call(Instant.now().plusSeconds(10), java.time.Clock.systemUTC(), null)));
    assertTrue(l.credential().isPresent());
    assertTrue(l.source().contains("is not valid JSON"), l.source());
    assertTrue(l.source().contains("the last good entries stay in use"), l.source());
  }
}
