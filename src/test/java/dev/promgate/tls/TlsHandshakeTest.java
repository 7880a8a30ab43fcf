package dev.promgate.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Await;
import io.vertx.core.Promise;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS: a Vert.x HTTPS server on an ephemeral port with the certificates this package makes
 * and loads, and Vert.x clients that verify them the way the Kubernetes API server does (trusting
 * only the CA in the webhook's caBundle, checking the host name against the subject alternative
 * names).
 */
@ExtendWith(VertxExtension.class)
@Timeout(120) // safety net, not a measurement
class TlsHandshakeTest {

  private static final String SERVICE = "promgate.promgate-system.svc";
  private static final String UNTRUSTED = "PKIX path";

  @TempDir Path dir;

  @Test
  void clientTrustingTheCaVerifiesLocalhostAndSeesTheCertificate(Vertx vertx) throws Exception {
    DevCertificates.Generated generated = DevCertificates.generate(dir,
        DevCertificates.DEFAULT_DNS_NAMES, DevCertificates.DEFAULT_IP_ADDRESSES, null);
    HttpServer server = serve(vertx, ServingCertificate.load(dir));

    Handshake tls13 = get(client(vertx, null, caOf(dir)), server, "localhost");
    assertEquals(generated.serving().certificate(), tls13.peer());
    assertEquals("TLSv1.3", tls13.protocol());

    Handshake tls12 = get(client(vertx, Set.of("TLSv1.2"), caOf(dir)), server, "localhost");
    assertEquals(generated.serving().certificate(), tls12.peer());
    assertEquals("TLSv1.2", tls12.protocol());

    // The name the API server uses for the webhook Service works too.
    assertEquals(generated.serving().certificate(), get(client(vertx, null, caOf(dir)), server, SERVICE).peer());
  }

  @Test
  void clientNotTrustingTheCaIsRefused(Vertx vertx) throws Exception {
    DevCertificates.generate(dir, DevCertificates.DEFAULT_DNS_NAMES, DevCertificates.DEFAULT_IP_ADDRESSES, null);
    HttpServer server = serve(vertx, ServingCertificate.load(dir));

    // The JDK's default trust store, as a client with no caBundle would have.
    assertHandshakeFails(client(vertx, null), server, "localhost", UNTRUSTED);
    // Another development CA.
    Path other = dir.resolve("other");
    DevCertificates.generate(other, List.of("localhost"), List.of(), null);
    assertHandshakeFails(client(vertx, null, caOf(other)), server, "localhost", UNTRUSTED);
  }

  @Test
  void theHostNameMustBeInTheSubjectAlternativeNames(Vertx vertx) throws Exception {
    DevCertificates.generate(dir, List.of(SERVICE), List.of(), null);
    HttpServer server = serve(vertx, ServingCertificate.load(dir));
    assertHandshakeFails(client(vertx, null, caOf(dir)), server, "localhost",
        "No subject alternative DNS name matching localhost found");
    assertEquals(ServingCertificate.load(dir).certificate(), get(client(vertx, null, caOf(dir)), server, SERVICE).peer());
  }

  @Test
  void rsaAndEd25519CertificatesServe(Vertx vertx) throws Exception {
    CertificateIssuer.Issued ca = TestPki.ca();
    byte[] caPem = TestPki.certificatePem(ca.certificate());
    for (KeyPair keys : List.of(TestPki.keyPair("RSA", 2048), TestPki.keyPair("Ed25519", 0))) {
      X509Certificate leaf = TestPki.leaf(ca, keys.getPublic());
      Path folder = dir.resolve(keys.getPublic().getAlgorithm());
      TestPki.write(folder, TestPki.certificatePem(leaf), keys.getPrivate() instanceof java.security.interfaces.RSAKey
          ? TestPki.traditional(keys.getPrivate()) : TestPki.pkcs8(keys.getPrivate()));
      HttpServer server = serve(vertx, ServingCertificate.load(folder));
      assertEquals(leaf, get(client(vertx, null, caPem), server, "localhost").peer(), keys.getPublic().getAlgorithm());
      Await.result(server.close());
    }
  }

  /** The mechanism rotation rests on: a new connection after updateSSLOptions gets the new certificate. */
  @Test
  void updateSslOptionsSwapsTheCertificateForNewConnections(Vertx vertx) throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    ServingCertificate a = DevCertificates.generate(first, List.of("localhost"), List.of(), null).serving();
    ServingCertificate b = DevCertificates.generate(second, List.of("localhost"), List.of(), null).serving();
    HttpServer server = serve(vertx, a);
    WebClient trustsBoth = client(vertx, null, caOf(first), caOf(second));
    assertEquals(a.certificate(), get(trustsBoth, server, "localhost").peer());

    assertTrue(Await.result(server.updateSSLOptions(b.serverSslOptions())), "the server took the new options");

    assertEquals(b.certificate(), get(trustsBoth, server, "localhost").peer());
    assertEquals(b.certificate(), get(client(vertx, null, caOf(second)), server, "localhost").peer());
    assertHandshakeFails(client(vertx, null, caOf(first)), server, "localhost", UNTRUSTED);
  }

  @Test
  void rotationFollowsTheFolderAndKeepsTheLastGoodCertificate(Vertx vertx) throws Exception {
    ServingCertificate a = DevCertificates.generate(dir, List.of("localhost"), List.of(), null).serving();
    HttpServer server = serve(vertx, a);
    List<CertificateRotation.Outcome> told = new CopyOnWriteArrayList<>();
    // An interval long enough that only checkNow runs during the test.
    CertificateRotation rotation = CertificateRotation.start(vertx, server, a, Duration.ofHours(1), told::add);

    assertEquals(CertificateRotation.Change.UNCHANGED, Await.result(rotation.checkNow()).change());

    ServingCertificate b = DevCertificates.generate(dir, List.of("localhost"), List.of(), null, true).serving();
    CertificateRotation.Outcome rotated = Await.result(rotation.checkNow());
    assertEquals(CertificateRotation.Change.ROTATED, rotated.change());
    assertEquals(b.fingerprint(), rotated.certificate().fingerprint());
    assertEquals(b.fingerprint(), rotation.current().fingerprint());
    assertEquals(b.certificate(), get(client(vertx, null, caOf(dir)), server, "localhost").peer());
    assertEquals(CertificateRotation.Change.UNCHANGED, Await.result(rotation.checkNow()).change());

    // A broken edit: another key. Reported once; the server keeps serving b.
    Files.write(dir.resolve("tls.key"), TestPki.pkcs8(TestPki.keyPair("EC", 0).getPrivate()));
    CertificateRotation.Outcome failed = Await.result(rotation.checkNow());
    assertEquals(CertificateRotation.Change.FAILED, failed.change());
    assertTrue(failed.problem().contains("does not match"), failed.problem());
    assertEquals(b.fingerprint(), failed.certificate().fingerprint());
    assertEquals(CertificateRotation.Change.FAILED, Await.result(rotation.checkNow()).change());
    assertEquals(b.certificate(), get(client(vertx, null, caOf(dir)), server, "localhost").peer());

    // Half a pair: a missing file is a failure too, and a different one.
    Files.delete(dir.resolve("tls.key"));
    CertificateRotation.Outcome missing = Await.result(rotation.checkNow());
    assertTrue(missing.problem().endsWith("tls.key is missing"), missing.problem());

    // Repaired: rotates again.
    ServingCertificate c = DevCertificates.generate(dir, List.of("localhost"), List.of(), null, true).serving();
    assertEquals(CertificateRotation.Change.ROTATED, Await.result(rotation.checkNow()).change());
    assertEquals(c.certificate(), get(client(vertx, null, caOf(dir)), server, "localhost").peer());

    assertEquals(List.of(CertificateRotation.Change.ROTATED, CertificateRotation.Change.FAILED,
        CertificateRotation.Change.FAILED, CertificateRotation.Change.ROTATED),
        told.stream().map(CertificateRotation.Outcome::change).toList(),
        "the listener hears each rotation and each new failure once");
    rotation.stop();
  }

  @Test
  void periodicChecksPickUpReplacedFiles(Vertx vertx) throws Exception {
    ServingCertificate a = DevCertificates.generate(dir, List.of("localhost"), List.of(), null).serving();
    HttpServer server = serve(vertx, a);
    Promise<CertificateRotation.Outcome> rotated = Promise.promise();
    CertificateRotation rotation = CertificateRotation.start(vertx, server, a, Duration.ofMillis(50), outcome -> {
      if (outcome.change() == CertificateRotation.Change.ROTATED) {
        rotated.tryComplete(outcome);
      }
    });
    ServingCertificate b = DevCertificates.generate(dir, List.of("localhost"), List.of(), null, true).serving();
    assertEquals(b.fingerprint(), Await.result(rotated.future()).certificate().fingerprint());
    assertNotEquals(a.certificate(), b.certificate());
    assertEquals(b.certificate(), get(client(vertx, null, caOf(dir)), server, "localhost").peer());
    rotation.stop();
  }

  // ------------------------------------------------------------------ helpers

  private record Handshake(X509Certificate peer, String protocol) {}

  private static HttpServer serve(Vertx vertx, ServingCertificate certificate) throws Exception {
    HttpServerOptions options = certificate.configure(new HttpServerOptions().setHost("127.0.0.1"));
    return Await.result(vertx.createHttpServer(options)
        .requestHandler(request -> request.response().end("ok"))
        .listen(0));
  }

  /**
   * What the client saw of the server when its (not kept alive) connection was made; read there,
   * because a closed connection no longer has its TLS session.
   */
  private final AtomicReference<Handshake> lastHandshake = new AtomicReference<>();

  private void capture(HttpConnection connection) {
    try {
      lastHandshake.set(new Handshake((X509Certificate) connection.peerCertificates().get(0),
          connection.sslSession().getProtocol()));
    } catch (SSLPeerUnverifiedException e) {
      lastHandshake.set(null);
    }
  }

  private WebClient client(Vertx vertx, Set<String> protocols, byte[]... trustedCaPems) {
    HttpClientOptions options = new HttpClientOptions().setSsl(true).setVerifyHost(true).setKeepAlive(false);
    if (protocols != null) {
      options.setEnabledSecureTransportProtocols(protocols);
    }
    if (trustedCaPems.length > 0) {
      PemTrustOptions trust = new PemTrustOptions();
      for (byte[] pem : trustedCaPems) {
        trust.addCertValue(Buffer.buffer(pem));
      }
      options.setTrustOptions(trust);
    }
    return WebClient.wrap(vertx.httpClientBuilder().with(options).withConnectHandler(this::capture).build());
  }

  /** GET / from the server at 127.0.0.1, verifying the certificate for {@code hostName}. */
  private Handshake get(WebClient client, HttpServer server, String hostName) {
    HttpResponse<Buffer> response = Await.result(request(client, server, hostName));
    assertEquals(200, response.statusCode());
    assertEquals("ok", response.bodyAsString());
    return lastHandshake.getAndSet(null);
  }

  private static Future<HttpResponse<Buffer>> request(WebClient client, HttpServer server, String hostName) {
    return client.request(HttpMethod.GET, SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1"),
        server.actualPort(), hostName, "/").send();
  }

  private void assertHandshakeFails(WebClient client, HttpServer server, String hostName, String why) {
    Throwable failure = Await.failure(request(client, server, hostName), Throwable.class);
    boolean handshake = false;
    StringBuilder messages = new StringBuilder();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      handshake |= cause instanceof SSLHandshakeException;
      messages.append(cause.getMessage()).append(" / ");
    }
    assertTrue(handshake, "expected an SSLHandshakeException, got " + failure);
    assertTrue(messages.toString().contains(why), "expected <" + why + "> in: " + messages);
  }

  private static byte[] caOf(Path folder) throws Exception {
    return Files.readString(folder.resolve("ca.crt")).getBytes(StandardCharsets.US_ASCII);
  }
}
