// The baseline for load tests: a Vert.x HTTPS endpoint that only parses the AdmissionReview and
// answers "allowed". promgate's cached path is compared with it in the same run (ratios, not
// absolute numbers, because the machine is shared and noisy).
//
// Run with the promgate jar on the class path (it contains Vert.x):
//   java -cp target/promgate.jar benchmarks/TrivialEndpoint.java 8444 certs
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.Set;

public class TrivialEndpoint {
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8444;
    String certs = args.length > 1 ? args[1] : "certs";
    Vertx vertx = Vertx.vertx(new VertxOptions());
    HttpServerOptions options = new HttpServerOptions()
        .setPort(port)
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certs + "/tls.crt").setKeyPath(certs + "/tls.key"))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    vertx.createHttpServer(options).requestHandler(req -> req.body().onSuccess(body -> {
      JsonObject review = new JsonObject(body);
      JsonObject response = new JsonObject()
          .put("apiVersion", "admission.k8s.io/v1")
          .put("kind", "AdmissionReview")
          .put("response", new JsonObject()
              .put("uid", review.getJsonObject("request").getString("uid"))
              .put("allowed", true));
      req.response().putHeader("Content-Type", "application/json").end(response.toBuffer());
    })).listen().onSuccess(s -> System.out.println("trivial endpoint listening on " + s.actualPort()))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }
}
