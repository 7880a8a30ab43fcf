package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.GateConfig;
import dev.promgate.testing.Await;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.TestImages;
import dev.promgate.testing.TestImages.Pushed;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS: verification always on, a per-registry CA bundle added to the JVM's trust, plain HTTP only when insecure. */
class RegistryTlsTest {

  static Vertx vertx;

  @TempDir
  Path temp;
  static LocalRegistry tls;
  static LocalRegistry plain;
  static Pushed image;
  static Pushed plainImage;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    tls = LocalRegistry.builder().tls().start();
    plain = LocalRegistry.start();
    image = new TestImages(tls).pushImage("tls/web", "1.0");
    plainImage = new TestImages(plain).pushImage("plain/web", "1.0");
  }

  @AfterAll
  static void stop() {
    if (tls != null) {
      tls.close();
    }
    if (plain != null) {
      plain.close();
    }
    Await.result(vertx.close());
  }

  private static RegistryClient client(GateConfig.RegistrySettings settings) {
    return RegistryClient.builder(vertx).registries(List.of(settings)).build();
  }

  @Test
  void theRegistryCaBundleMakesItsCertificateTrusted() {
    RegistryClient client = client(tls.settings());

    assertEquals(image.digest(), Await.result(client.resolve(tls.reference("tls/web:1.0"), Await.deadline())));
    client.close();
  }

  @Test
  void withoutItsCaTheRegistryIsNotTrusted() {
    RegistryClient client = client(new GateConfig.RegistrySettings(tls.host(), false, Optional.empty()));

    RegistryException e = Await.failure(client.resolve(tls.reference("tls/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains("TLS failed"), e.getMessage());
    assertTrue(e.getMessage().contains("set caFile"), e.getMessage());
    client.close();
  }

  @Test
  void aPlainHttpRegistryIsOnlyReachedWhenMarkedInsecure() {
    RegistryClient strict = client(new GateConfig.RegistrySettings(plain.host(), false, Optional.empty()));

    RegistryException e = Await.failure(strict.resolve(plain.reference("plain/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains("insecure: true"), e.getMessage());
    strict.close();
    RegistryClient insecure = client(plain.settings());
    assertEquals(plainImage.digest(), Await.result(insecure.resolve(plain.reference("plain/web:1.0"), Await.deadline())));
    insecure.close();
  }

  @Test
  void credentialsAreNotSentToAPlainHttpTokenRealmOfAnHttpsRegistry() throws IOException {
    try (LocalRegistry registry = LocalRegistry.builder().tls().tokenAuth("alice", "s3cret").start()) {
      new TestImages(registry).pushImage("tls/web", "1.0");
      Path config = temp.resolve("config.json");
      Files.writeString(config, registry.dockerConfigJson("alice", "s3cret"));
      RegistryClient client = RegistryClient.builder(vertx).registries(List.of(registry.settings()))
          .credentials(config).build();

      RegistryException e = Await.failure(client.resolve(registry.reference("tls/web:1.0"), Await.deadline()),
          RegistryException.class);

      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertTrue(e.getMessage().contains("is plain HTTP while the registry is not an insecure entry"), e.getMessage());
      assertEquals(0, registry.tokenService().orElseThrow().requests());
      client.close();
    }
  }

  @Test
  void anUnreadableCaBundleIsAConfigurationErrorNamingTheFile() {
    Path missing = Path.of("no-such-ca.pem");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> client(new GateConfig.RegistrySettings(tls.host(), false, Optional.of(missing))));

    assertTrue(e.getMessage().contains("no-such-ca.pem"), e.getMessage());
  }
}
