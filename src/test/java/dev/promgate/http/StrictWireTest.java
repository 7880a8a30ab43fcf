package dev.promgate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.Server;
import dev.promgate.testing.Await;
import dev.promgate.testing.Reviews;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wire rules over the real server: media type, UTF-8 and TLS suites. */
class StrictWireTest {

  @TempDir
  static Path work;
  static Server server;
  static Vertx vertx;
  static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    Path policies = work.resolve("policies");
    WebhookServerTest.copy(Path.of("policies"), policies);
    Path certs = work.resolve("certs");
    server = Await.result(Server.start(new Server.Options(policies, certs, "127.0.0.1", 0, Optional.empty(),
        WebhookServer.Settings.DEFAULT_BODY_LIMIT)));
    vertx = Vertx.vertx();
    client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certs.resolve("ca.crt").toString())));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    Await.result(vertx.close());
  }

  private static HttpResponse<Buffer> post(String contentType, byte[] body) throws Exception {
    return Await.result(client.post(server.port(), "localhost", "/validate/prod").putHeader("Content-Type", contentType)
        .sendBuffer(Buffer.buffer(body)));
  }

  @Test
  void aJsonLookAlikeMediaTypeIs415() throws Exception {
    byte[] review = Reviews.bytes(Reviews.deployment("shop-prod", "shop/web:1.4"));
    assertEquals(415, post("application/jsonx", review).statusCode());
    assertEquals(415, post("application/json; charset=utf-16", review).statusCode());
    assertEquals(200, post("application/json; charset=utf-8", review).statusCode());
  }

  @Test
  void anOverlongSequenceInsideAnImageStringIs400() throws Exception {
    String review = new String(Reviews.bytes(Reviews.deployment("shop-prod", "shop/web:1.4")), StandardCharsets.UTF_8);
    int at = review.indexOf("shop/web:1.4");
    byte[] before = review.substring(0, at).getBytes(StandardCharsets.UTF_8);
    byte[] after = review.substring(at + "shop/web".length()).getBytes(StandardCharsets.UTF_8);
    // "shop" + an overlong '/' (C0 AF) + "web": a lenient decoder reads shop/web.
    byte[] overlong = HexFormat.of().parseHex("73686f70c0af776562");
    byte[] body = new byte[before.length + overlong.length + after.length];
    System.arraycopy(before, 0, body, 0, before.length);
    System.arraycopy(overlong, 0, body, before.length, overlong.length);
    System.arraycopy(after, 0, body, before.length + overlong.length, after.length);

    HttpResponse<Buffer> r = post("application/json", body);

    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertTrue(r.bodyAsString().contains("not well-formed UTF-8 at byte " + (before.length + 4)), r.bodyAsString());
  }

  @Test
  void aDuplicateKeyThatTwoReadersWouldResolveDifferentlyIs400() throws Exception {
    String review = new String(Reviews.bytes(Reviews.deployment("shop-prod", "registry.acme.example/shop/web@sha256:"
        + "ab".repeat(32))), StandardCharsets.UTF_8);
    // First-wins readers see the pinned image, last-wins readers the tag: neither may be chosen.
    String duplicated = review.replace("\"image\":\"", "\"image\":\"shop/web:latest\",\"image\":\"");

    HttpResponse<Buffer> r = post("application/json", duplicated.getBytes(StandardCharsets.UTF_8));

    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertTrue(r.bodyAsString().contains("image"), r.bodyAsString());
  }

  @Test
  void onlyModernSuitesAreNegotiated() throws Exception {
    SSLContext trustAll = SSLContext.getInstance("TLS");
    trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) { }

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) { }

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    for (String legacy : List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_RSA_WITH_AES_128_GCM_SHA256")) {
      try (SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", server.port())) {
        socket.setEnabledProtocols(new String[] {"TLSv1.2"});
        socket.setEnabledCipherSuites(new String[] {legacy});
        socket.setSoTimeout(10_000);
        boolean refused;
        try {
          socket.startHandshake();
          refused = false;
        } catch (java.io.IOException e) {
          refused = true;
        }
        assertTrue(refused, legacy + " was negotiated");
      }
    }
    try (SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      assertTrue(dev.promgate.tls.ServingCertificate.TLS_CIPHER_SUITES.contains(socket.getSession().getCipherSuite()),
          socket.getSession().getCipherSuite());
    }
  }
}
