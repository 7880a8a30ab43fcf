package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Await;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.TestImages;
import dev.promgate.testing.TestImages.Layer;
import dev.promgate.testing.TestImages.Pushed;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication against real distribution 2.8 registries: htpasswd Basic auth and Bearer token auth. */
class RegistryAuthTest {

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

  private RegistryClient client(LocalRegistry registry, Path dockerConfig) {
    RegistryClientBuilder b = RegistryClient.builder(vertx).registries(List.of(registry.settings()))
        .credentialsReloadInterval(Duration.ZERO);
    if (dockerConfig != null) {
      b.credentials(dockerConfig);
    }
    return b.build();
  }

  private Path dockerConfig(String json) throws IOException {
    Path file = temp.resolve("config.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void basicAuthWithDockerConfigCredentials() throws IOException {
    try (LocalRegistry registry = LocalRegistry.builder().basicAuth("alice", "s3cret").start()) {
      Pushed image = new TestImages(registry).pushImage("basic/web", "1.0");
      RegistryClient client = client(registry, dockerConfig(registry.dockerConfigJson("alice", "s3cret")));

      assertEquals(image.digest(), Await.result(client.resolve(registry.reference("basic/web:1.0"), Await.deadline())));
      Attachments a = Await.result(client.attachments(image.pinned(), Await.deadline()));
      assertEquals(image.digest(), a.imageManifest().orElseThrow().digest());
      client.close();
    }
  }

  @Test
  void basicAuthWithoutCredentialsIsUnauthorizedAndSaysWhatToDo() {
    try (LocalRegistry registry = LocalRegistry.builder().basicAuth("alice", "s3cret").start()) {
      new TestImages(registry).pushImage("basic/web", "1.0");
      RegistryClient client = client(registry, null);

      RegistryException e = Await.failure(client.resolve(registry.reference("basic/web:1.0"), Await.deadline()),
          RegistryException.class);

      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertFalse(e.kind().imageFails(), "could not check, not a property of the image");
      assertTrue(e.getMessage().contains("access refused without credentials (401)"), e.getMessage());
      assertTrue(e.getMessage().endsWith("give promgate credentials that may pull basic/web (no docker config file is configured)"),
          e.getMessage());
      client.close();
    }
  }

  @Test
  void wrongPasswordIsUnauthorizedAndTheCorrectedFileIsPickedUp() throws IOException {
    try (LocalRegistry registry = LocalRegistry.builder().basicAuth("alice", "s3cret").start()) {
      Pushed image = new TestImages(registry).pushImage("basic/web", "1.0");
      Path config = dockerConfig(registry.dockerConfigJson("alice", "wrong"));
      RegistryClient client = client(registry, config);

      RegistryException e = Await.failure(client.resolve(registry.reference("basic/web:1.0"), Await.deadline()),
          RegistryException.class);
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertTrue(e.getMessage().contains("access refused with the credentials of the docker config " + config),
          e.getMessage());

      Files.writeString(config, registry.dockerConfigJson("alice", "s3cret"));
      assertEquals(image.digest(), Await.result(client.resolve(registry.reference("basic/web:1.0"), Await.deadline())));

      Files.delete(config);
      RegistryException gone = Await.failure(client.resolve(registry.reference("basic/web:1.0"), Await.deadline()),
          RegistryException.class);
      assertEquals(RegistryException.Kind.UNAUTHORIZED, gone.kind());
      assertTrue(gone.getMessage().contains("cannot be read"), gone.getMessage());
      client.close();
    }
  }

  @Test
  void bearerTokenFlowWithCredentialsCachesTheTokenPerScope() throws IOException {
    try (LocalRegistry registry = LocalRegistry.builder().tokenAuth("alice", "s3cret").start()) {
      TestImages images = new TestImages(registry);
      Pushed image = images.pushImage("token/web", "1.0");
      images.pushCosignSignatures(image.pinned(), List.of(
          Layer.of(TestImages.COSIGN_SIMPLE_SIGNING, TestImages.simpleSigningPayload(image.pinned()))));
      Pushed other = images.pushImage("token/api", "1.0");
      LocalRegistry.TokenService tokens = registry.tokenService().orElseThrow();
      RegistryClient client = client(registry, dockerConfig(registry.dockerConfigJson("alice", "s3cret")));

      Attachments a = Await.result(client.attachments(image.pinned(), Await.deadline()));
      assertEquals(1, a.signatures().orElseThrow().layers().size());
      assertEquals(1, tokens.requests(), "parallel requests of one call share one token");

      assertEquals(image.digest(), Await.result(client.resolve(registry.reference("token/web:1.0"), Await.deadline())));
      assertEquals(1, tokens.requests(), "the cached token is reused");

      assertEquals(other.digest(), Await.result(client.resolve(registry.reference("token/api:1.0"), Await.deadline())));
      assertEquals(2, tokens.requests(), "another repository is another scope");
      assertEquals(List.of("repository:token/web:pull", "repository:token/api:pull"), tokens.requestedScopes());
      client.close();
    }
  }

  @Test
  void bearerTokenFlowAnonymously() {
    try (LocalRegistry registry = LocalRegistry.builder().tokenAuth("alice", "s3cret").anonymousPull().start()) {
      Pushed image = new TestImages(registry).pushImage("public/web", "1.0");
      RegistryClient client = client(registry, null);

      assertEquals(image.digest(), Await.result(client.resolve(registry.reference("public/web:1.0"), Await.deadline())));
      client.close();
    }
  }

  @Test
  void bearerTokenWithoutPullAccessIsUnauthorized() {
    try (LocalRegistry registry = LocalRegistry.builder().tokenAuth("alice", "s3cret").start()) {
      new TestImages(registry).pushImage("private/web", "1.0");
      RegistryClient client = client(registry, null);

      RegistryException e = Await.failure(client.resolve(registry.reference("private/web:1.0"), Await.deadline()),
          RegistryException.class);

      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertTrue(e.getMessage().contains("may pull private/web"), e.getMessage());
      client.close();
    }
  }

  @Test
  void bearerTokenServiceRejectingTheCredentialsIsUnauthorized() throws IOException {
    try (LocalRegistry registry = LocalRegistry.builder().tokenAuth("alice", "s3cret").start()) {
      new TestImages(registry).pushImage("private/web", "1.0");
      RegistryClient client = client(registry, dockerConfig(registry.dockerConfigJson("alice", "wrong")));

      RegistryException e = Await.failure(client.resolve(registry.reference("private/web:1.0"), Await.deadline()),
          RegistryException.class);

      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertTrue(e.getMessage().contains("the token service rejected the credentials (401)"), e.getMessage());
      client.close();
    }
  }

  @Test
  void identityTokenIsExchangedAtTheTokenService() throws IOException {
    try (LocalRegistry registry = LocalRegistry.builder().refreshToken("refresh-123").start()) {
      Pushed image = new TestImages(registry).pushImage("oauth/web", "1.0");
      RegistryClient client = client(registry,
          dockerConfig("{\"auths\":{\"" + registry.host() + "\":{\"identitytoken\":\"refresh-123\"}}}"));

      assertEquals(image.digest(), Await.result(client.resolve(registry.reference("oauth/web:1.0"), Await.deadline())));
      client.close();
    }
  }
}
