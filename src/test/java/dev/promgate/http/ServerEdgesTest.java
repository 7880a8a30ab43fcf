package dev.promgate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.Server;
import dev.promgate.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's edges an operator meets: the body limit over HTTP/2 too, and a port already taken. */
class ServerEdgesTest {

  @TempDir
  Path work;

  private Server start(long bodyLimit, int port) throws Exception {
    return Await.result(starting(bodyLimit, port));
  }

  private Future<Server> starting(long bodyLimit, int port) throws Exception {
    Path policies = Files.createDirectories(work.resolve("policies"));
    try (Stream<Path> files = Files.list(Path.of("policies"))) {
      for (Path f : files.toList()) {
        Files.copy(f, policies.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return Server.start(new Server.Options(policies, work.resolve("certs"), "127.0.0.1", port, Optional.empty(),
        bodyLimit));
  }

  @Test
  void aBodyOverTheLimitGets413OverHttp2AsOverHttp11() throws Exception {
    Server server = start(4096, 0);
    Vertx vertx = Vertx.vertx();
    try {
      byte[] big = new byte[64 * 1024];
      java.util.Arrays.fill(big, (byte) ' ');
      big[0] = '{';
      for (HttpVersion version : new HttpVersion[] {HttpVersion.HTTP_2, HttpVersion.HTTP_1_1}) {
        WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setUseAlpn(true)
            .setProtocolVersion(version).setTrustOptions(new PemTrustOptions()
                .addCertPath(work.resolve("certs/ca.crt").toString())));
        HttpResponse<Buffer> r = Await.result(client.post(server.port(), "localhost", "/validate/prod")
            .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(big)));
        assertEquals(version, r.version());
        assertEquals(413, r.statusCode(), version + ": " + r.bodyAsString());
        assertTrue(r.bodyAsString().contains("larger than 4096 bytes"), r.bodyAsString());
        client.close();
      }
    } finally {
      server.close();
      Await.result(vertx.close());
    }
  }

  @Test
  void aPortInUseIsNamedWithWhatHoldsIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      String message = Await.failure(starting(4096, port), Throwable.class).getMessage();
      assertTrue(message.startsWith("cannot listen on 127.0.0.1:" + port + ": port " + port + " is already in use; "),
          message);
      long self = ProcessHandle.current().pid();
      assertTrue(message.contains("held by pid " + self + " (") || message.contains("ss -ltnp 'sport = :" + port + "'"),
          message);
      if (Files.isDirectory(Path.of("/proc/self/fd"))) {
        assertTrue(message.contains("held by pid " + self + " ("), "on Linux the holder is found: " + message);
      }
    }
  }
}
