package dev.promgate.registry;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.GateConfig;
import dev.promgate.testing.Await;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small in-memory registry on a Vert.x HTTP server, for what a real registry does not do on
 * demand: the OCI referrers API (with pagination and {@code artifactType} filtering), and
 * misbehaviour (errors, rate limits, hangs, lies, endless bodies, redirects). Rules added with
 * {@link #when} answer before the normal behaviour. It records every request and counts TCP
 * connections and requests in flight.
 */
final class FakeRegistry implements AutoCloseable {

  private static final Pattern CONTENT = Pattern.compile("/v2/(.+)/(manifests|blobs|referrers)/([^/?]+)");
  private static final Pattern TAGS = Pattern.compile("/v2/(.+)/tags/list");

  record Recorded(String method, String path, String query, MultiMap headers) {
    String authorization() {
      return headers.get("Authorization");
    }
  }

  private record Rule(Predicate<HttpServerRequest> matches, Handler<HttpServerRequest> answer) {}

  private record Stored(String mediaType, byte[] bytes) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final Map<String, Stored> manifests = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile boolean referrersApi = true;
  private volatile int referrersPageSize = 100;

  FakeRegistry(Vertx vertx) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer()
        .connectionHandler(c -> connections.incrementAndGet())
        .requestHandler(this::handle);
    Await.result(server.listen(0, "127.0.0.1"));
  }

  String host() {
    return "127.0.0.1:" + server.actualPort();
  }

  String origin() {
    return "http://" + host();
  }

  GateConfig.RegistrySettings settings() {
    return new GateConfig.RegistrySettings(host(), true, Optional.empty());
  }

  ImageReference reference(String repositoryAndRef) {
    return ImageReference.parse(host() + "/" + repositoryAndRef);
  }

  /** Answers requests matching {@code matches} with {@code answer}, before everything else. */
  FakeRegistry when(Predicate<HttpServerRequest> matches, Handler<HttpServerRequest> answer) {
    rules.add(new Rule(matches, answer));
    return this;
  }

  /** Whether {@code GET /v2/<name>/referrers/<digest>} is implemented (else 404, like distribution 2.8). */
  FakeRegistry referrersApi(boolean on) {
    referrersApi = on;
    return this;
  }

  FakeRegistry referrersPageSize(int size) {
    referrersPageSize = size;
    return this;
  }

  Digest putBlob(String repository, byte[] content) {
    Digest d = Digest.sha256Of(content);
    blobs.put(repository + "@" + d, content);
    return d;
  }

  /** Stores a manifest under its digest and, when {@code tag} is not null, under the tag. */
  Digest putManifest(String repository, String tag, String mediaType, byte[] bytes) {
    Digest d = Digest.sha256Of(bytes);
    manifests.put(repository + "@" + d, new Stored(mediaType, bytes));
    if (tag != null) {
      manifests.put(repository + ":" + tag, new Stored(mediaType, bytes));
    }
    return d;
  }

  List<Recorded> requests() {
    return List.copyOf(requests);
  }

  List<Recorded> requests(String pathPart) {
    return requests.stream().filter(r -> r.path().contains(pathPart)).toList();
  }

  int connections() {
    return connections.get();
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  private void handle(HttpServerRequest req) {
    requests.add(new Recorded(req.method().name(), req.path(), req.query(),
        MultiMap.caseInsensitiveMultiMap().addAll(req.headers())));
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    req.response().endHandler(v -> inFlight.decrementAndGet());
    for (Rule rule : rules) {
      if (rule.matches().test(req)) {
        rule.answer().handle(req);
        return;
      }
    }
    Matcher tags = TAGS.matcher(req.path());
    if (tags.matches()) {
      tags(req, tags.group(1));
      return;
    }
    Matcher m = CONTENT.matcher(req.path());
    if (!m.matches()) {
      req.response().setStatusCode(404).end("404 page not found");
      return;
    }
    String repository = m.group(1);
    String kind = m.group(2);
    String reference = m.group(3);
    switch (kind) {
      case "manifests" -> {
        Stored s = manifests.get(repository + (reference.contains(":") ? "@" : ":") + reference);
        if (s == null) {
          error(req, 404, "MANIFEST_UNKNOWN", "manifest unknown");
          return;
        }
        req.response().putHeader("Content-Type", s.mediaType())
            .putHeader("Docker-Content-Digest", Digest.sha256Of(s.bytes()).toString());
        if (req.method().name().equals("HEAD")) {
          req.response().putHeader("Content-Length", String.valueOf(s.bytes().length)).end();
        } else {
          req.response().end(Buffer.buffer(s.bytes()));
        }
      }
      case "blobs" -> {
        byte[] b = blobs.get(repository + "@" + reference);
        if (b == null) {
          error(req, 404, "BLOB_UNKNOWN", "blob unknown to registry");
          return;
        }
        req.response().putHeader("Content-Type", "application/octet-stream").end(Buffer.buffer(b));
      }
      default -> referrers(req, repository, reference);
    }
  }

  private void referrers(HttpServerRequest req, String repository, String subject) {
    if (!referrersApi) {
      req.response().setStatusCode(404).end("404 page not found");
      return;
    }
    String artifactType = req.getParam("artifactType");
    List<JsonObject> all = new ArrayList<>();
    manifests.forEach((key, stored) -> {
      if (!key.startsWith(repository + "@")) {
        return;
      }
      JsonObject m = new JsonObject(Buffer.buffer(stored.bytes()));
      JsonObject s = m.getJsonObject("subject");
      if (s == null || !subject.equals(s.getString("digest"))) {
        return;
      }
      String type = m.getString("artifactType", m.getJsonObject("config").getString("mediaType"));
      if (artifactType != null && !artifactType.equals(type)) {
        return;
      }
      JsonObject d = new JsonObject().put("mediaType", stored.mediaType())
          .put("digest", Digest.sha256Of(stored.bytes()).toString()).put("size", stored.bytes().length)
          .put("artifactType", type);
      if (m.getJsonObject("annotations") != null) {
        d.put("annotations", m.getJsonObject("annotations"));
      }
      all.add(d);
    });
    all.sort((a, b) -> a.getString("digest").compareTo(b.getString("digest")));
    int start = req.getParam("page") == null ? 0 : Integer.parseInt(req.getParam("page"));
    int end = Math.min(all.size(), start + referrersPageSize);
    JsonObject index = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX)
        .put("manifests", new JsonArray(new ArrayList<>(all.subList(start, end))));
    if (end < all.size()) {
      req.response().putHeader("Link", "<" + req.path() + "?page=" + end
          + (artifactType == null ? "" : "&artifactType=" + artifactType) + ">; rel=\"next\"");
    }
    if (artifactType != null) {
      req.response().putHeader("OCI-Filters-Applied", "artifactType");
    }
    req.response().putHeader("Content-Type", MediaTypes.OCI_INDEX).end(index.toBuffer());
  }

  private void tags(HttpServerRequest req, String repository) {
    List<String> all = new ArrayList<>();
    manifests.keySet().forEach(k -> {
      if (k.startsWith(repository + ":")) {
        all.add(k.substring(repository.length() + 1));
      }
    });
    all.sort(String::compareTo);
    int n = req.getParam("n") == null ? all.size() : Math.min(2, Integer.parseInt(req.getParam("n")));
    String last = req.getParam("last");
    List<String> rest = all.stream().filter(t -> last == null || t.compareTo(last) > 0).toList();
    List<String> page = rest.subList(0, Math.min(n, rest.size()));
    if (page.size() < rest.size()) {
      req.response().putHeader("Link", "</v2/" + repository + "/tags/list?n=2&last="
          + page.get(page.size() - 1) + ">; rel=\"next\"");
    }
    req.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("name", repository).put("tags", new JsonArray(page)).toBuffer());
  }

  static void error(HttpServerRequest req, int status, String code, String message) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("errors", new JsonArray().add(
            new JsonObject().put("code", code).put("message", message).putNull("detail"))).toBuffer());
  }

  /**
   * Sends {@code chunk} every {@code period} until the client goes away: an endless body. Leaves
   * the response's close handler to the caller.
   */
  void drip(HttpServerRequest req, int status, Buffer chunk, Duration period) {
    req.response().setStatusCode(status).setChunked(true);
    vertx.setPeriodic(Math.max(1, period.toMillis()), id -> {
      if (req.response().closed() || req.response().ended()) {
        vertx.cancelTimer(id);
        return;
      }
      req.response().write(chunk);
    });
  }

  @Override
  public void close() {
    try {
      Await.result(server.close());
    } catch (Exception ignored) {
      // best effort
    }
  }
}
