package dev.promgate.http;

import dev.promgate.admission.AdmissionReviews;
import dev.promgate.admission.BadReview;
import dev.promgate.decision.Decision;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.manifests.WebhookConfiguration;
import dev.promgate.tls.ServingCertificate;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The webhook's HTTPS server. TLS 1.2 and 1.3 only, AEAD cipher suites with forward secrecy
 * ({@code ServingCertificate}); plain HTTP is not offered. Malformed input gets a 400 with a
 * one-line reason, a Content-Type other than {@code application/json[; charset=utf-8]} a 415, an
 * oversized body a 413; nothing produces a stack trace.
 *
 * <p>Limits, set explicitly rather than left to library defaults:
 * <ul>
 *   <li>HTTP/2: at most {@value #MAX_CONCURRENT_STREAMS} concurrent streams per connection and a
 *       header list of at most {@value #MAX_HEADER_BYTES} bytes (HTTP/1.1: the same header size,
 *       a request line of at most {@value #MAX_INITIAL_LINE} bytes);
 *   <li>a TLS handshake must finish within {@value #HANDSHAKE_TIMEOUT_SECONDS} s;
 *   <li>a request's body must arrive within {@value #BODY_TIMEOUT_SECONDS} s of its headers (the
 *       API server gives a webhook at most 30 s in all), else 408 and the connection is closed;
 *   <li>a connection idle for {@value #IDLE_TIMEOUT_SECONDS} s is closed.
 * </ul>
 */
public final class WebhookServer {

  private static final Logger LOG = Logger.getLogger(WebhookServer.class.getName());

  /**
   * @param host      the address to bind, e.g. {@code 0.0.0.0}
   * @param port      0 for an ephemeral port
   * @param bodyLimit  the largest AdmissionReview accepted, in bytes
   * @param eventLoops how many event loops take requests ({@code serve --event-loops})
   */
  public record Settings(String host, int port, long bodyLimit, int eventLoops) {
    /** The API server sends at most ~3 MiB objects, old and new; 8 MiB leaves room and stops floods. */
    public static final long DEFAULT_BODY_LIMIT = 8L * 1024 * 1024;

    public Settings {
      if (eventLoops < 1) {
        throw new IllegalArgumentException("event loops must be at least 1, found " + eventLoops);
      }
    }

    /** One event loop per available processor. */
    public Settings(String host, int port, long bodyLimit) {
      this(host, port, bodyLimit, defaultEventLoops());
    }

    /** One per available processor: a cached decision is CPU-bound, so each core can take one. */
    public static int defaultEventLoops() {
      return Runtime.getRuntime().availableProcessors();
    }
  }

  static final int MAX_CONCURRENT_STREAMS = 128;
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final int MAX_INITIAL_LINE = 4096;
  static final int HANDSHAKE_TIMEOUT_SECONDS = 10;
  static final int BODY_TIMEOUT_SECONDS = 10;
  static final int IDLE_TIMEOUT_SECONDS = 120;

  /** One server per event loop, all on one port: Vert.x hands new connections to them in turn. */
  private final List<HttpServer> servers;
  private final Vertx vertx;
  private final String deployment;

  private WebhookServer(Vertx vertx, List<HttpServer> servers, String deployment) {
    this.vertx = vertx;
    this.servers = List.copyOf(servers);
    this.deployment = deployment;
  }

  /**
   * Starts listening on {@link Settings#eventLoops} event loops. They share the handler — one
   * policy store, verdict cache, registry client and log writer — and nothing else: each loop has
   * its own server instance and router, and a connection stays on the loop that accepted it.
   *
   * @param certificate the serving certificate and key (PEM)
   * @param handler     decides each AdmissionReview
   * @param ready       whether policies and certificates are loaded (for {@code /readyz})
   * @param metrics     scraped at {@code /metrics}
   */
  public static Future<WebhookServer> start(Vertx vertx, Settings settings, ServingCertificate certificate,
                                            AdmissionHandler handler, BooleanSupplier ready,
                                            PrometheusMeterRegistry metrics) {
    HttpServerOptions options = certificate.configure(new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        .setUseAlpn(true)
        .setCompressionSupported(false)
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
        .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS)
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setInitialSettings(new Http2Settings()
            .setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS)
            .setMaxHeaderListSize(MAX_HEADER_BYTES)));
    if (settings.port() == 0) {
      // Vert.x shares a random port among the servers that ask for the same negative port.
      options.setPort(-1);
    }
    List<HttpServer> servers = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> new VerticleBase() {
          @Override
          public Future<?> start() {
            Router router = router(vertx, settings, ready, metrics);
            long limit = settings.bodyLimit();
            return vertx.createHttpServer(options)
                .requestHandler(request -> {
                  long arrived = System.nanoTime();
                  EnvironmentResolver.Route route = request.method() == HttpMethod.POST ? route(request.path()) : null;
                  if (route == null) {
                    router.handle(request);
                  } else {
                    admit(vertx, request, route, handler, limit, arrived);
                  }
                })
                .listen()
                .recover(e -> Future.failedFuture(ListenFailure.of(settings.host(), settings.port(), e)))
                .onSuccess(servers::add);
          }
        }, new DeploymentOptions().setInstances(settings.eventLoops()))
        .map(deployment -> new WebhookServer(vertx, servers, deployment));
  }

  /** Everything but the admission paths: health, readiness, metrics and the error answers. */
  private static Router router(Vertx vertx, Settings settings, BooleanSupplier ready,
                               PrometheusMeterRegistry metrics) {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> text(ctx.response(), 200, "ok"));
    router.get("/readyz").handler(ctx -> {
      boolean isReady = ready.getAsBoolean();
      text(ctx.response(), isReady ? 200 : 503, isReady ? "ready" : "not ready: policies or certificates not loaded");
    });
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape()));
    // POSTs to the admission paths never reach the router (see route()); other methods get a 405 here.
    router.route("/validate*").handler(ctx -> text(ctx.response(), 405, "method not allowed: POST an AdmissionReview"));
    router.route(WebhookConfiguration.UNKNOWN_ENVIRONMENT_PATH).handler(ctx ->
        text(ctx.response(), 405, "method not allowed: POST an AdmissionReview"));
    router.errorHandler(413, ctx -> text(ctx.response(), 413,
        "request body larger than " + settings.bodyLimit() + " bytes"));
    router.errorHandler(404, ctx -> text(ctx.response(), 404,
        "not found: POST /validate or /validate/{environment}; GET /healthz, /readyz, /metrics"));
    router.errorHandler(405, ctx -> text(ctx.response(), 405, "method not allowed"));
    router.errorHandler(500, ctx -> {
      LOG.log(Level.SEVERE, "unexpected failure handling " + ctx.request().path(), ctx.failure());
      if (!ctx.response().ended()) {
        text(ctx.response(), 500, "internal error: " + (ctx.failure() == null ? "unknown"
            : ctx.failure().getClass().getSimpleName()));
      }
    });
    return router;
  }

  /**
   * The admission paths, matched by hand: they carry all the load, and the router's per-request
   * context and body handler cost more than the rest of a cached decision. Null for anything else.
   */
  static EnvironmentResolver.Route route(String path) {
    if (path.equals("/validate") || path.equals("/validate/")) {
      return new EnvironmentResolver.Unnamed();
    }
    if (path.startsWith("/validate/")) {
      String environment = path.substring("/validate/".length());
      if (environment.endsWith("/")) {
        environment = environment.substring(0, environment.length() - 1);
      }
      return environment.isEmpty() || environment.indexOf('/') >= 0 ? null
          : new EnvironmentResolver.Named(environment);
    }
    return path.equals(WebhookConfiguration.UNKNOWN_ENVIRONMENT_PATH) ? new EnvironmentResolver.UnknownLabel() : null;
  }

  /** Reads the body up to the limit (answering 413 beyond it, without buffering the rest), then decides. */
  private static void admit(Vertx vertx, HttpServerRequest request, EnvironmentResolver.Route route,
                            AdmissionHandler handler, long limit, long arrived) {
    String contentTypeProblem = WireRules.contentTypeProblem(request.getHeader(HttpHeaders.CONTENT_TYPE));
    if (contentTypeProblem != null) {
      text(request.response(), 415, contentTypeProblem);
      return;
    }
    long declared = contentLength(request);
    if (declared > limit) {
      tooLarge(request, limit);
      return;
    }
    // Grows with what arrives: a declared Content-Length costs nothing until the bytes come.
    Buffer body = Buffer.buffer((int) Math.min(Math.max(declared, 1024), 64 * 1024));
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + (long) chunk.length() > limit) {
        refused[0] = true;
        tooLarge(request, limit);
        return;
      }
      body.appendBuffer(chunk);
    });
    // A body that trickles in (or never comes) must not hold the request open indefinitely.
    long bodyTimer = vertx.setTimer(BODY_TIMEOUT_SECONDS * 1000L, id -> {
      if (!refused[0]) {
        refused[0] = true;
        request.response().putHeader(HttpHeaders.CONNECTION, "close");
        text(request.response(), 408, "the request body did not arrive within " + BODY_TIMEOUT_SECONDS + " s");
      }
    });
    request.exceptionHandler(e -> {
      vertx.cancelTimer(bodyTimer);
      LOG.fine("request body not read: " + e);
    });
    request.endHandler(v -> {
      vertx.cancelTimer(bodyTimer);
      if (!refused[0]) {
        refused[0] = true;
        decide(request.response(), body, route, handler, arrived);
      }
    });
  }

  private static long contentLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void tooLarge(HttpServerRequest request, long limit) {
    // The rest of the body is not read: close an HTTP/1.x connection after the answer. HTTP/2 forbids
    // that header (the answer would be a stream reset instead of a 413); its stream just ends.
    if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    text(request.response(), 413, "request body larger than " + limit + " bytes");
  }

  public int port() {
    return servers.get(0).actualPort();
  }

  /** How many event loops take requests. */
  public int eventLoops() {
    return servers.size();
  }

  /**
   * Hands a new certificate to every server instance (for {@code CertificateRotation}); connections
   * already open keep theirs.
   */
  public Future<Boolean> updateSSLOptions(ServerSSLOptions options) {
    List<Future<Boolean>> updates = new ArrayList<>();
    for (HttpServer server : servers) {
      updates.add(server.updateSSLOptions(options, true));
    }
    return Future.all(updates).map(all -> updates.stream().allMatch(Future::result));
  }

  /** Stops every server instance. */
  public Future<Void> close() {
    return vertx.undeploy(deployment);
  }

  private static void decide(HttpServerResponse response, Buffer body, EnvironmentResolver.Route route,
                             AdmissionHandler handler, long arrived) {
    if (body.length() == 0) {
      text(response, 400, "the request body is empty; POST an AdmissionReview");
      return;
    }
    byte[] bytes = body.getBytes();
    int malformed = WireRules.malformedUtf8At(bytes);
    if (malformed >= 0) {
      text(response, 400, "the body is not well-formed UTF-8 at byte " + malformed
          + " (overlong forms, surrogates and truncated sequences are refused)");
      return;
    }
    var parsed = AdmissionReviews.read(bytes);
    if (parsed.bad().isPresent()) {
      BadReview bad = parsed.bad().get();
      text(response, 400, bad.reason());
      return;
    }
    var call = parsed.call().orElseThrow();
    handler.admit(call, route, arrived).onComplete(done -> {
      if (response.closed()) {
        return;
      }
      // admit() never fails; if it ever did, deny rather than answer nothing.
      Decision d = done.succeeded() ? done.result() : null;
      byte[] review = d == null
          ? AdmissionReviews.write(call.uid(), false, 500, "promgate could not decide: " + done.cause(),
              java.util.List.of(), java.util.Map.of())
          : AdmissionReviews.write(call.uid(), d.allowed(), 403, d.message(), d.warnings(), d.annotations());
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Buffer.buffer(review));
    });
  }

  private static void text(HttpServerResponse response, int status, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(oneLine(message) + "\n");
  }

  private static String oneLine(String s) {
    String line = s.replace('\r', ' ').replace('\n', ' ');
    return line.length() > 1000 ? line.substring(0, 1000) + "…" : line;
  }
}
