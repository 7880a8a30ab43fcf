package dev.promgate.registry;

import dev.promgate.json.DockerConfigJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registry credentials from a Docker config JSON file — the format of a
 * {@code kubernetes.io/dockerconfigjson} secret mounted as a file:
 * <pre>{"auths": {"registry.acme.example": {"auth": "base64(user:password)"}}}</pre>
 * or of a legacy {@code kubernetes.io/dockercfg} secret (the same entries without {@code auths}),
 * read as leniently as the kubelet reads them ({@link DockerConfigJson}).
 * Each entry may instead give {@code username}/{@code password}, an {@code identitytoken} (an
 * OAuth2 refresh token for the token service) or a {@code registrytoken} (a bearer token).
 * Credential helpers ({@code credsStore}, {@code credHelpers}) are not run: promgate never
 * executes programs.
 *
 * <p>Keys are matched like the kubelet matches them: a scheme and a leading {@code /v1/} or
 * {@code /v2/} path segment are ignored, {@code index.docker.io} means {@code docker.io}, a {@code *} matches
 * one DNS label ({@code *.acme.example}), the port must be equal, and a key with a path
 * ({@code registry.acme.example/shop}) applies to repositories under it. The most specific key
 * wins.
 *
 * <p>Reloading: the file is re-read (asynchronously, on Vert.x's file system workers) at most once
 * per {@code reloadInterval} and re-parsed only when its bytes changed — Kubernetes updates a
 * mounted secret by swapping a symlink, so modification times are not reliable. A file that
 * disappears means no credentials; a file that stops parsing keeps the last good entries, and the
 * problem is reported in the advice of an UNAUTHORIZED failure.
 */
final class DockerConfigCredentials {

  private static final Pattern API_VERSION_PATH = Pattern.compile("v[12](/|$)");

  /** What a lookup found, and a description of where from (for error messages). */
  record Lookup(Optional<RegistryCredential> credential, String source) {}

  /** {@code hostGlob} is set when the key's host has a {@code *}; it then matches one label per star. */
  private record Entry(String key, String host, Pattern hostGlob, String port, String path,
                       RegistryCredential credential) {}

  private record Snapshot(byte[] raw, List<Entry> entries, String problem) {}

  private final Vertx vertx;
  private final Path path;
  private final long intervalNanos;
  private volatile Snapshot snapshot;
  private volatile long checkedAt;
  private final AtomicReference<Future<Snapshot>> reloading = new AtomicReference<>();

  DockerConfigCredentials(Vertx vertx, Path path, Duration reloadInterval) {
    this.vertx = vertx;
    this.path = path;
    this.intervalNanos = reloadInterval.toNanos();
  }

  static DockerConfigCredentials none(Vertx vertx) {
    return new DockerConfigCredentials(vertx, null, Duration.ZERO);
  }

  Future<Lookup> lookup(String registry, String repository, Call call) {
    if (path == null) {
      return Future.succeededFuture(new Lookup(Optional.empty(), "no docker config file is configured"));
    }
    return call.onContext(current()).map(s -> find(s, registry, repository));
  }

  private Future<Snapshot> current() {
    Snapshot s = snapshot;
    if (s != null && System.nanoTime() - checkedAt < intervalNanos) {
      return Future.succeededFuture(s);
    }
    while (true) {
      Future<Snapshot> inFlight = reloading.get();
      if (inFlight != null) {
        return inFlight;
      }
      io.vertx.core.Promise<Snapshot> promise = io.vertx.core.Promise.promise();
      if (reloading.compareAndSet(null, promise.future())) {
        vertx.fileSystem().readFile(path.toString()).onComplete(ar -> {
          Snapshot previous = snapshot;
          Snapshot next;
          if (ar.failed()) {
            next = new Snapshot(null, List.of(), "docker config " + path + " cannot be read ("
                + rootMessage(ar.cause()) + ")");
          } else {
            byte[] raw = ar.result().getBytes();
            next = previous != null && previous.raw() != null && Arrays.equals(previous.raw(), raw)
                ? previous : parse(raw, previous);
          }
          snapshot = next;
          checkedAt = System.nanoTime();
          reloading.set(null);
          promise.complete(next);
        });
        return promise.future();
      }
    }
  }

  private Snapshot parse(byte[] raw, Snapshot previous) {
    List<DockerConfigJson.Entry> read;
    try {
      read = DockerConfigJson.read(raw, "docker config " + path);
    } catch (DockerConfigJson.MalformedException e) {
      List<Entry> kept = previous == null ? List.of() : previous.entries();
      return new Snapshot(raw, kept, e.getMessage() + (kept.isEmpty() ? "" : "; the last good entries stay in use"));
    }
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (DockerConfigJson.Entry e : read) {
      try {
        RegistryCredential credential = credential(e);
        if (credential != null) {
          entries.add(entry(e.key(), credential));
        }
      } catch (IllegalArgumentException ex) {
        problems.add("entry \"" + e.key() + "\": " + ex.getMessage());
      }
    }
    return new Snapshot(raw, List.copyOf(entries),
        problems.isEmpty() ? null : "docker config " + path + ": " + String.join("; ", problems));
  }

  private static RegistryCredential credential(DockerConfigJson.Entry a) {
    String username = a.username();
    String password = a.password();
    if (a.auth() != null && !a.auth().isEmpty()) {
      String[] userAndPassword = DockerConfigJson.userAndPassword(a.auth());
      username = userAndPassword[0];
      password = userAndPassword[1];
    }
    if (a.identityToken() != null && !a.identityToken().isEmpty()) {
      return new RegistryCredential.IdentityToken(username == null ? "" : username, a.identityToken());
    }
    if (a.registryToken() != null && !a.registryToken().isEmpty()) {
      return new RegistryCredential.RegistryToken(a.registryToken());
    }
    if (username != null && password != null) {
      return new RegistryCredential.Basic(username, password);
    }
    return null;
  }

  private static Entry entry(String key, RegistryCredential credential) {
    String k = key.trim();
    int scheme = k.indexOf("://");
    if (scheme >= 0) {
      k = k.substring(scheme + 3);
    }
    String hostPort = k;
    String p = "";
    int slash = k.indexOf('/');
    if (slash >= 0) {
      hostPort = k.substring(0, slash);
      p = k.substring(slash + 1);
      while (p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      Matcher version = API_VERSION_PATH.matcher(p);
      if (version.lookingAt()) {
        p = p.substring(version.end());
      }
    }
    HostPort at = HostPort.of(hostPort);
    return new Entry(key, at.host(), at.host().contains("*") ? globPattern(at.host()) : null, at.port(), p, credential);
  }

  private static Pattern globPattern(String host) {
    String[] parts = host.split("\\*", -1);
    StringBuilder regex = new StringBuilder(Pattern.quote(parts[0]));
    for (int i = 1; i < parts.length; i++) {
      regex.append("[^.]*").append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(regex.toString());
  }

  /** A registry's host, lower case with Docker Hub's aliases folded into docker.io, and its port ("" when none). */
  private record HostPort(String host, String port) {
    static HostPort of(String hostPort) {
      String host = hostPort.toLowerCase(Locale.ROOT);
      String port = "";
      int colon = host.lastIndexOf(':');
      if (colon >= 0 && host.indexOf(']') < colon) {
        port = host.substring(colon + 1);
        host = host.substring(0, colon);
      }
      return new HostPort(canonicalHost(host), port);
    }
  }

  private static String canonicalHost(String host) {
    return switch (host) {
      case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> "docker.io";
      default -> host;
    };
  }

  private Lookup find(Snapshot s, String registry, String repository) {
    HostPort at = HostPort.of(registry);
    String host = at.host();
    String port = at.port();
    Entry best = null;
    int bestScore = -1;
    for (Entry e : s.entries()) {
      boolean hostMatches = e.hostGlob() == null ? e.host().equals(host) : e.hostGlob().matcher(host).matches();
      if (!e.port().equals(port) || !hostMatches) {
        continue;
      }
      if (!e.path().isEmpty() && !(repository.equals(e.path()) || repository.startsWith(e.path() + "/"))) {
        continue;
      }
      int score = e.path().length() * 2 + (e.hostGlob() == null ? 1 : 0);
      if (score > bestScore) {
        best = e;
        bestScore = score;
      }
    }
    String note = s.problem() == null ? "" : " (" + s.problem() + ")";
    if (best == null) {
      return new Lookup(Optional.empty(), "the docker config " + path + " has no entry for " + registry + note);
    }
    return new Lookup(Optional.of(best.credential()),
        "the docker config " + path + " entry \"" + best.key() + "\"" + note);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String name = root.getClass().getSimpleName();
    return root.getMessage() == null ? name : name + ": " + root.getMessage();
  }
}
