package dev.promgate.benchmarks;

import dev.promgate.image.Digest;
import dev.promgate.json.Mappers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fault and soak run ({@code benchmarks/soak.sh}): a real local registry with signed and
 * promoted images behind a proxy that can refuse connections or stall; promgate as its own process
 * with the Deployment's JVM flags; a bounded concurrent load of known-good pods (their digests
 * cached after the first decision), unsigned digests, tags, never-seen digests and oversized
 * invalid images; and, phase by phase, the registry stopped, slowed past the webhook timeout and
 * restarted, policies edited (valid, broken, emptied, restored) and the serving certificate
 * rotated. Prints one table row per phase: wrong admits, denials of known-good digests, requests
 * over the webhook timeout, errors, latency and promgate's largest resident set.
 *
 * <p>Arguments: {@code work-dir promgate-jar seconds-per-phase connections jvm-flags…}.
 */
public final class Soak {

  private static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = Mappers.JSON;

  /** What a request is, and so what a correct answer is. */
  private enum Kind { KNOWN_GOOD, UNSIGNED, TAG, NEVER_SEEN, OVERSIZED }

  private record Outcome(Kind kind, int status, boolean allowed, long nanos, String error) {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path jar = Path.of(args[1]);
    int seconds = Integer.parseInt(args[2]);
    int connections = Integer.parseInt(args[3]);
    List<String> jvmFlags = List.of(args).subList(4, args.length);

    try (SignedRegistry signed = new SignedRegistry(work.resolve("registry"));
         FaultProxy proxy = new FaultProxy(signed.registry.host())) {
      String host = proxy.host();
      List<String> known = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        known.add(host + "/shop/app" + i + "@" + signed.pushPromoted("shop/app" + i).digest());
      }
      List<String> unsigned = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        unsigned.add(host + "/shop/unsigned" + i + "@"
            + signed.images.pushImage("shop/unsigned" + i, "u" + i).pinned().digest());
      }
      Path policies = writePolicies(work.resolve("policies"), signed.policies, signed.registry.host(), host);
      Path certs = work.resolve("certs");
      run(List.of("java", "-jar", jar.toString(), "certs", "generate", "--out", certs.toString(),
          "--dns", "localhost", "--ip", "127.0.0.1"));

      int port = freePort();
      List<String> command = new ArrayList<>(List.of("java"));
      command.addAll(jvmFlags);
      command.addAll(List.of("-jar", jar.toString(), "serve", "--policies", policies.toString(),
          "--certs", certs.toString(), "--port", String.valueOf(port)));
      Process promgate = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(work.resolve("promgate.log").toFile()).start();
      try {
        Load load = new Load(port, connections, known, unsigned, host);
        load.awaitReady();
        System.out.println("| phase | requests | wrong admits | known-good denied | over " + WEBHOOK_TIMEOUT.toSeconds()
            + " s | errors | p50 ms | p99 ms | max ms | max RSS MiB |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        phase("warm-up: first verifications", load, promgate, seconds, () -> { });
        phase("steady: cached known-good digests", load, promgate, seconds, () -> { });
        phase("registry stopped (connections refused)", load, promgate, seconds, proxy::down);
        phase("registry slow (answers after 15 s)", load, promgate, seconds, () -> proxy.slow(15));
        phase("registry restarted", load, promgate, seconds, proxy::up);
        phase("policy edited (valid)", load, promgate, seconds,
            () -> replace(policies.resolve("gate.yaml"), read(policies.resolve("gate.yaml")) + "# edited\n"));
        String shop = read(policies.resolve("shop.yaml"));
        phase("policy edited (broken YAML)", load, promgate, seconds,
            () -> replace(policies.resolve("shop.yaml"), shop.replace("environments:", "environments: [")));
        phase("policy emptied", load, promgate, seconds, () -> replace(policies.resolve("shop.yaml"), ""));
        phase("policy restored", load, promgate, seconds, () -> replace(policies.resolve("shop.yaml"), shop));
        phase("certificate rotated", load, promgate, seconds, () -> rotate(jar, certs, work));
        load.oversized.set(true);
        phase("oversized invalid images (fuzzing load)", load, promgate, seconds, () -> { });
        load.oversized.set(false);
        phase("steady again", load, promgate, seconds, () -> { });
        load.stop();
      } finally {
        promgate.destroy();
      }
    }
  }

  private static void phase(String name, Load load, Process promgate, int seconds, Runnable fault) throws Exception {
    fault.run();
    load.outcomes.clear();
    long rss = 0;
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      rss = Math.max(rss, rssKib(promgate.pid()));
      Thread.sleep(250);
    }
    List<Outcome> all = new ArrayList<>(load.outcomes);
    long wrong = all.stream().filter(o -> o.allowed() && o.kind() != Kind.KNOWN_GOOD).count();
    long knownDenied = all.stream().filter(o -> o.kind() == Kind.KNOWN_GOOD && o.status() == 200 && !o.allowed()).count();
    long slow = all.stream().filter(o -> o.nanos() > WEBHOOK_TIMEOUT.toNanos()).count();
    long errors = all.stream().filter(o -> o.error() != null || o.status() != 200).count();
    List<Long> latencies = new ArrayList<>(all.stream().map(Outcome::nanos).toList());
    Collections.sort(latencies);
    System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f | %d |%n", name, all.size(), wrong,
        knownDenied, slow, errors, percentile(latencies, 0.50), percentile(latencies, 0.99),
        percentile(latencies, 1.0), rss / 1024);
    all.stream().filter(o -> o.error() != null).map(Outcome::error).distinct().limit(3)
        .forEach(e -> System.err.println("  error in \"" + name + "\": " + e));
  }

  private static double percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1));
    return sorted.get(i) / 1e6;
  }

  private static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** The signed registry's policies, pointed at the proxy, with short cache lifetimes so that outages hit stale verdicts. */
  private static Path writePolicies(Path dir, Path signedPolicies, String registryHost, String host)
      throws IOException {
    Files.createDirectories(dir);
    for (String key : List.of("ci.pub", "release-managers.pub")) {
      Files.copy(signedPolicies.resolve(key), dir.resolve(key), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(dir.resolve("gate.yaml"), """
        apiVersion: promgate.dev/v1alpha1
        kind: GateConfig
        spec:
          defaultEnvironment: prod
          registries:
            - {host: "%s", insecure: true}
          cache: {ttl: 20s, negativeTtl: 5s, staleIfError: 1h}
        """.formatted(host));
    Files.writeString(dir.resolve("shop.yaml"), read(signedPolicies.resolve("shop.yaml")).replace(registryHost, host));
    return dir;
  }

  /** Replaces a file at once, as a ConfigMap update does. */
  private static void replace(Path file, String content) {
    try {
      Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
      Files.writeString(partial, content);
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new CA and serving certificate, swapped into the watched folder. */
  private static void rotate(Path jar, Path certs, Path work) {
    try {
      Path next = work.resolve("certs-next-" + System.nanoTime());
      run(List.of("java", "-jar", jar.toString(), "certs", "generate", "--out", next.toString(),
          "--dns", "localhost", "--ip", "127.0.0.1"));
      for (String f : List.of("ca.crt", "tls.key", "tls.crt")) {
        if (Files.exists(next.resolve(f))) {
          Files.move(next.resolve(f), certs.resolve(f), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void run(List<String> command) throws IOException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Concurrent clients, each sending one review after another and recording the outcome. */
  private static final class Load {
    final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    final AtomicBoolean oversized = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final HttpClient client;
    private final URI uri;
    private final List<String> known;
    private final List<String> unsigned;
    private final String host;
    private final AtomicLong counter = new AtomicLong();

    Load(int port, int connections, List<String> known, List<String> unsigned, String host) throws Exception {
      SSLContext tls = SSLContext.getInstance("TLS");
      // The certificate rotates mid-run; what is measured is the decisions, not the trust path.
      tls.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new SecureRandom());
      this.client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
      this.uri = URI.create("https://localhost:" + port + "/validate/prod");
      this.known = known;
      this.unsigned = unsigned;
      this.host = host;
      for (int i = 0; i < connections; i++) {
        Thread t = new Thread(this::loop, "soak-" + i);
        t.setDaemon(true);
        threads.add(t);
      }
    }

    void awaitReady() throws Exception {
      for (int i = 0; i < 240; i++) {
        try {
          HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(uri.resolve("/readyz").toString()))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            threads.forEach(Thread::start);
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(500);
      }
      throw new IllegalStateException("promgate did not become ready; see promgate.log");
    }

    void stop() {
      running.set(false);
    }

    private void loop() {
      while (running.get()) {
        Kind kind = pick();
        String image = switch (kind) {
          case KNOWN_GOOD -> known.get(ThreadLocalRandom.current().nextInt(known.size()));
          case UNSIGNED -> unsigned.get(ThreadLocalRandom.current().nextInt(unsigned.size()));
          case TAG -> host + "/shop/app0:latest";
          case NEVER_SEEN -> host + "/shop/app0@" + Digest.sha256Of(("never " + counter.incrementAndGet())
              .getBytes(StandardCharsets.UTF_8));
          case OVERSIZED -> host + "/shop/X" + counter.incrementAndGet() + "/" + "A".repeat(256 * 1024);
        };
        long start = System.nanoTime();
        try {
          HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(review(image))).build(), HttpResponse.BodyHandlers.ofByteArray());
          boolean allowed = r.statusCode() == 200
              && JSON.readTree(r.body()).path("response").path("allowed").asBoolean(false);
          outcomes.add(new Outcome(kind, r.statusCode(), allowed, System.nanoTime() - start,
              r.statusCode() == 200 ? null : "HTTP " + r.statusCode()));
        } catch (Exception e) {
          outcomes.add(new Outcome(kind, 0, false, System.nanoTime() - start, e.toString()));
        }
      }
    }

    private Kind pick() {
      if (oversized.get() && ThreadLocalRandom.current().nextInt(2) == 0) {
        return Kind.OVERSIZED;
      }
      int n = ThreadLocalRandom.current().nextInt(100);
      return n < 70 ? Kind.KNOWN_GOOD : n < 82 ? Kind.UNSIGNED : n < 92 ? Kind.TAG : Kind.NEVER_SEEN;
    }

    private byte[] review(String image) throws IOException {
      ObjectNode review = JSON.createObjectNode();
      review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
      ObjectNode request = review.putObject("request");
      request.put("uid", "soak-" + counter.incrementAndGet());
      request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
      request.put("namespace", "shop-prod").put("name", "web").put("operation", "CREATE");
      request.putObject("userInfo").put("username", "soak");
      ObjectNode pod = request.putObject("object");
      pod.put("apiVersion", "v1").put("kind", "Pod");
      pod.putObject("metadata").put("name", "web").put("namespace", "shop-prod");
      pod.putObject("spec").putArray("containers").addObject().put("name", "web").put("image", image);
      return JSON.writeValueAsBytes(review);
    }
  }

  /**
   * A TCP proxy in front of the registry that can refuse connections (its port closed, as a
   * stopped registry's is), stall (answers held back), or pass everything through.
   */
  static final class FaultProxy implements AutoCloseable {
    private final String upstreamHost;
    private final int upstreamPort;
    private final int port;
    private final AtomicReference<ServerSocket> listener = new AtomicReference<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile long delayMillis;

    FaultProxy(String upstream) throws IOException {
      this.upstreamHost = upstream.substring(0, upstream.lastIndexOf(':'));
      this.upstreamPort = Integer.parseInt(upstream.substring(upstream.lastIndexOf(':') + 1));
      this.port = freePort();
      up();
    }

    String host() {
      return "127.0.0.1:" + port;
    }

    void up() {
      delayMillis = 0;
      if (listener.get() != null) {
        return;
      }
      try {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener.set(s);
        Thread t = new Thread(() -> accept(s), "proxy-accept");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    void down() {
      ServerSocket s = listener.getAndSet(null);
      try {
        if (s != null) {
          s.close();
        }
      } catch (IOException e) {
        // closed anyway
      }
      open.forEach(Soak::closeQuietly);
      open.clear();
    }

    void slow(int seconds) {
      up();
      delayMillis = seconds * 1000L;
      open.forEach(Soak::closeQuietly);
      open.clear();
    }

    private void accept(ServerSocket s) {
      while (!s.isClosed()) {
        try {
          Socket client = s.accept();
          Socket upstream = new Socket(upstreamHost, upstreamPort);
          open.add(client);
          open.add(upstream);
          pump(client, upstream, 0);
          pump(upstream, client, delayMillis);
        } catch (IOException e) {
          // listener closed, or the registry refused
        }
      }
    }

    private void pump(Socket from, Socket to, long delay) {
      Thread t = new Thread(() -> {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          byte[] buffer = new byte[16384];
          int n;
          boolean first = true;
          while ((n = in.read(buffer)) >= 0) {
            if (first && delay > 0) {
              Thread.sleep(delay);
            }
            first = false;
            out.write(buffer, 0, n);
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // a side closed
        } finally {
          closeQuietly(from);
          closeQuietly(to);
        }
      }, "proxy-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() {
      down();
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
