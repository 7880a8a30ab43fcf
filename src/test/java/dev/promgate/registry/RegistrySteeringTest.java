package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.HostPattern;
import dev.promgate.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An allow-listed registry must not be able to send promgate anywhere else: redirect targets and
 * token realms are hosts the GateConfig allows for that registry, checked before any connection.
 */
class RegistrySteeringTest {

  static Vertx vertx;
  FakeRegistry registry;
  FakeRegistry elsewhere;
  final List<RegistryClient> clients = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    Await.result(vertx.close());
  }

  @BeforeEach
  void start() {
    registry = new FakeRegistry(vertx);
    elsewhere = new FakeRegistry(vertx);
  }

  @AfterEach
  void stop() {
    clients.forEach(RegistryClient::close);
    registry.close();
    elsewhere.close();
  }

  private RegistryClient client() {
    RegistryClient c = RegistryClient.builder(vertx).registries(List.of(registry.settings()))
        .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50))).build();
    clients.add(c);
    return c;
  }

  @Test
  void aRedirectToAHostOutsideTheAllowListIsRefusedBeforeAnyConnection() {
    byte[] content = "blob".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256Of(content);
    elsewhere.when(r -> true, r -> r.response().end(Buffer.buffer(content)));
    registry.when(r -> r.path().contains("/blobs/"), r -> r.response().setStatusCode(307)
        .putHeader("Location", elsewhere.origin() + "/internal/admin").end());

    RegistryException e = Await.failure(client().blob(registry.reference("steer/web"),
        Descriptor.of("application/octet-stream", d, content.length), Await.deadline()), RegistryException.class);

    assertEquals(0, elsewhere.connections(), "promgate connected to the redirect target");
    assertEquals(RegistryException.Kind.NOT_ALLOWED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(elsewhere.host()), e.getMessage());
    assertTrue(e.getMessage().contains("redirectHosts"), e.getMessage());
  }

  @Test
  void aTokenRealmOnAnotherHostIsRefusedBeforeAnyConnection() {
    elsewhere.when(r -> true, r -> r.response().putHeader("Content-Type", "application/json")
        .end("{\"token\":\"t\",\"expires_in\":300}"));
    registry.when(r -> r.path().contains("/manifests/"), r -> r.response().setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer realm=\"" + elsewhere.origin() + "/token\",service=\"x\"").end());

    RegistryException e = Await.failure(client().resolve(registry.reference("steer/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(0, elsewhere.connections(), "promgate fetched a token from the realm on another host");
    assertEquals(RegistryException.Kind.NOT_ALLOWED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(elsewhere.host()), e.getMessage());
    assertTrue(e.getMessage().contains("tokenHosts"), e.getMessage());
  }

  private RegistryClient client(GateConfig.RegistrySettings settings, Destinations.Resolver resolver) {
    RegistryClientBuilder b = RegistryClient.builder(vertx).registries(List.of(settings))
        .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50)));
    if (resolver != null) {
      b.resolver(resolver);
    }
    RegistryClient c = b.build();
    clients.add(c);
    return c;
  }

  private GateConfig.RegistrySettings listing(List<String> tokenHosts, List<String> redirectHosts) {
    return new GateConfig.RegistrySettings(registry.host(), true, Optional.empty(),
        Optional.of(tokenHosts.stream().map(HostPattern::parse).toList()),
        Optional.of(redirectHosts.stream().map(HostPattern::parse).toList()));
  }

  @Test
  void aRedirectToAListedHostIsFollowed() {
    byte[] content = "blob".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256Of(content);
    elsewhere.when(r -> true, r -> r.response().end(Buffer.buffer(content)));
    registry.when(r -> r.path().contains("/blobs/"), r -> r.response().setStatusCode(307)
        .putHeader("Location", elsewhere.origin() + "/storage").end());

    byte[] got = Await.result(client(listing(List.of(), List.of(elsewhere.host())), null).blob(
        registry.reference("steer/web"), Descriptor.of("application/octet-stream", d, content.length), Await.deadline()));

    assertEquals("blob", new String(got, StandardCharsets.UTF_8));
    assertEquals(1, elsewhere.requests().size());
  }

  @Test
  void aTokenRealmOnAListedHostIsUsed() {
    Digest d = manifest("steer/web", "1.0");
    elsewhere.when(r -> true, r -> r.response().putHeader("Content-Type", "application/json")
        .end("{\"token\":\"t\",\"expires_in\":300}"));
    registry.when(r -> !"Bearer t".equals(r.getHeader("Authorization")), r -> r.response().setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer realm=\"" + elsewhere.origin() + "/token\",service=\"x\"").end());

    assertEquals(d, Await.result(client(listing(List.of(elsewhere.host()), List.of()), null)
        .resolve(registry.reference("steer/web:1.0"), Await.deadline())));
    assertEquals(1, elsewhere.requests().size());
  }

  @Test
  void aTokenHostDoesNotAllowRedirectsThereNorTheOtherWayRound() {
    byte[] content = "blob".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256Of(content);
    registry.when(r -> r.path().contains("/blobs/"), r -> r.response().setStatusCode(307)
        .putHeader("Location", elsewhere.origin() + "/storage").end());

    RegistryException e = Await.failure(client(listing(List.of(elsewhere.host()), List.of()), null).blob(
        registry.reference("steer/web"), Descriptor.of("application/octet-stream", d, content.length), Await.deadline()),
            RegistryException.class);

    assertEquals(RegistryException.Kind.NOT_ALLOWED, e.kind());
    assertEquals(0, elsewhere.connections());
  }

  @Test
  void aListedHostThatResolvesToTheMetadataAddressIsRefusedAfterResolution() {
    registry.when(r -> r.path().contains("/manifests/"), r -> r.response().setStatusCode(307)
        .putHeader("Location", "http://storage.example/blob").end());
    Destinations.Resolver resolver = host -> {
      try {
        return Future.succeededFuture(List.of(InetAddress.getByName("169.254.169.254")));
      } catch (UnknownHostException e) {
        return Future.failedFuture(e);
      }
    };

    RegistryException e = Await.failure(client(listing(List.of(), List.of("storage.example")), resolver)
        .resolve(registry.reference("steer/web:1.0"), Await.deadline()), RegistryException.class);

    assertEquals(RegistryException.Kind.NOT_ALLOWED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("storage.example resolves to 169.254.169.254, a link-local address"),
        e.getMessage());
  }

  @Test
  void aRedirectToTheMetadataAddressItselfIsRefusedEvenWhenListed() {
    registry.when(r -> r.path().contains("/manifests/"), r -> r.response().setStatusCode(302)
        .putHeader("Location", "http://169.254.169.254/latest/meta-data/").end());

    RegistryException e = Await.failure(client(listing(List.of(), List.of("169.254.169.254")), null)
        .resolve(registry.reference("steer/web:1.0"), Await.deadline()), RegistryException.class);

    assertEquals(RegistryException.Kind.NOT_ALLOWED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("link-local"), e.getMessage());
  }

  @Test
  void aPagingLinkToAnotherHostIsRefused() {
    registry.when(r -> r.path().endsWith("/tags/list"), r -> r.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Link", "<" + elsewhere.origin() + "/v2/steer/web/tags/list?last=a>; rel=\"next\"")
        .end("{\"name\":\"steer/web\",\"tags\":[\"a\"]}"));

    RegistryException e = Await.failure(client().tags(registry.reference("steer/web"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.NOT_ALLOWED, e.kind(), e.getMessage());
    assertEquals(0, elsewhere.connections());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "forbidden, 169.254.169.254",
      "forbidden, 169.254.170.2",
      "forbidden, fe80::1",
      "forbidden, fd00:ec2::254",
      "forbidden, 100.100.100.200",
      "forbidden, 168.63.129.16",
      "forbidden, 0.0.0.0",
      "forbidden, ::",
      "forbidden, 224.0.0.1",
      "forbidden, ::ffff:169.254.169.254",
      "forbidden, ::169.254.169.254",
      "forbidden, 64:ff9b::a9fe:a9fe",
      "allowed, 127.0.0.1",
      "allowed, 10.0.0.5",
      "allowed, 192.168.1.10",
      "allowed, 140.82.112.34",
      "allowed, ::1",
      "allowed, 2001:db8::1",
  })
  void addressesPromgateNeverConnectsTo(String expected, String address) throws UnknownHostException {
    String why = Destinations.forbidden(InetAddress.getByName(address));
    assertEquals(expected.equals("forbidden"), why != null, address + ": " + why);
  }

  private Digest manifest(String repository, String tag) {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    Digest configDigest = registry.putBlob(repository, config);
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[]}";
    return registry.putManifest(repository, tag, MediaTypes.OCI_MANIFEST, json.getBytes(StandardCharsets.UTF_8));
  }
}
