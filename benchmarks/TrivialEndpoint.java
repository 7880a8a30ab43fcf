// The baseline for load tests: a Vert.x HTTPS endpoint that only parses the AdmissionReview and
// answers "allowed", on the same number of event loops as promgate. promgate's cached path is
// compared with it in the same run (ratios, not absolute numbers, because the machine is shared).
//
// Run with the promgate jar on the class path (it contains Vert.x):
//   java -cp target/promgate.jar benchmarks/TrivialEndpoint.java PORT CERTS [EVENT_LOOPS]
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.Set;

public class TrivialEndpoint {
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8444;
    String certs = args.length > 1 ? args[1] : "certs";
    int loops = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, loops)));
    HttpServerOptions options = new HttpServerOptions()
        .setPort(port)
        .setSsl(true)
        .setUseAlpn(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certs + "/tls.crt").setKeyPath(certs + "/tls.key"))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer(options).requestHandler(req -> req.body().onSuccess(body -> {
          JsonObject review = new JsonObject(body);
          JsonObject response = new JsonObject()
              .put("apiVersion", "admission.k8s.io/v1")
              .put("kind", "AdmissionReview")
              .put("response", new JsonObject()
                  .put("uid", review.getJsonObject("request").getString("uid"))
                  .put("allowed", true));
          req.response().putHeader("Content-Type", "application/json").end(response.toBuffer());
        })).listen();
      }
    }, new DeploymentOptions().setInstances(loops))
        .onSuccess(s -> System.out.println("trivial endpoint listening on " + port + " with " + loops + " event loops"))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }
}
