package dev.promgate.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.policy.GateConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import tools.jackson.databind.ObjectMapper;

/**
 * A real OCI registry for tests: Debian's {@code docker-registry} (distribution 2.8) on
 * {@code 127.0.0.1} with an ephemeral port and a temporary storage folder, deleted on
 * {@link #close()}.
 *
 * <pre>{@code
 * static LocalRegistry registry;
 * @BeforeAll static void start() { registry = LocalRegistry.start(); }     // anonymous, plain HTTP
 * @AfterAll static void stop() { registry.close(); }
 *
 * LocalRegistry.builder().basicAuth("alice", "secret").start();           // htpasswd (bcrypt)
 * LocalRegistry.builder().tokenAuth("alice", "secret").start();           // Bearer tokens, like Docker Hub
 * LocalRegistry.builder().tls().start();                                  // HTTPS with a fresh test CA
 * }</pre>
 *
 * <p>With token auth the test process itself serves the token realm (see {@link TokenService}):
 * it checks the user's password (or a refresh token), and issues ES256 JWTs whose {@code x5c}
 * header carries a certificate the registry trusts through its {@code rootcertbundle} — the way
 * Docker Hub, GHCR and Harbor work.
 *
 * <p>Push content with {@link TestImages}. Point a client at it with {@link #settings()} (the
 * allow-list entry: {@code insecure} unless TLS, with the CA file when TLS) and {@link #host()}.
 *
 * <p>The binary is {@code /usr/bin/docker-registry}, or the system property
 * {@value #BINARY_PROPERTY}. When it is missing, {@link Builder#start()} fails with a message
 * saying how to install it ({@code apt-get install -y docker-registry}).
 */
public final class LocalRegistry implements AutoCloseable {

  public static final String BINARY_PROPERTY = "promgate.registry.binary";
  private static final String DEFAULT_BINARY = "/usr/bin/docker-registry";
  private static final Pattern LISTENING = Pattern.compile("listening on [^ ]*?:(\\d+)");
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = Mappers.JSON;
  static final String SERVICE = "promgate-test-registry";
  static final String ISSUER = "promgate-test-token-service";

  private final Process process;
  private final Path directory;
  private final Path log;
  private final int port;
  private final boolean tls;
  private final Path caCertificate;
  private final SSLContext sslContext;
  private final Map<String, String> basicUsers;
  private final TokenService tokenService;
  private final HttpClient http;

  private LocalRegistry(Process process, Path directory, Path log, int port, boolean tls, Path caCertificate,
                        SSLContext sslContext, Map<String, String> basicUsers, TokenService tokenService) {
    this.process = process;
    this.directory = directory;
    this.log = log;
    this.port = port;
    this.tls = tls;
    this.caCertificate = caCertificate;
    this.sslContext = sslContext;
    this.basicUsers = Map.copyOf(basicUsers);
    this.tokenService = tokenService;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (sslContext != null) {
      b.sslContext(sslContext);
    }
    this.http = b.build();
  }

  /** An anonymous plain-HTTP registry. */
  public static LocalRegistry start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code 127.0.0.1:<port>}: the registry part of image references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public boolean isTls() {
    return tls;
  }

  /** {@code http(s)://127.0.0.1:<port><path>}. */
  public URI uri(String path) {
    return URI.create((tls ? "https" : "http") + "://" + host() + path);
  }

  /** An image reference on this registry, e.g. {@code reference("shop/web:1.0")}. */
  public ImageReference reference(String repositoryAndTagOrDigest) {
    return ImageReference.parse(host() + "/" + repositoryAndTagOrDigest);
  }

  /** The allow-list entry for this registry: insecure (plain HTTP) unless TLS, then with its CA. */
  public GateConfig.RegistrySettings settings() {
    // A token service on its own port is another host: list it, as a GateConfig would.
    Optional<java.util.List<dev.promgate.policy.HostPattern>> tokenHosts = tokenService == null ? Optional.empty()
        : Optional.of(java.util.List.of(dev.promgate.policy.HostPattern.parse(
            java.net.URI.create(tokenService.realm()).getAuthority())));
    return new GateConfig.RegistrySettings(host(), !tls, Optional.ofNullable(caCertificate), tokenHosts,
        Optional.empty());
  }

  /** The PEM CA certificate that signed the registry's TLS certificate, when TLS is on. */
  public Optional<Path> caCertificate() {
    return Optional.ofNullable(caCertificate);
  }

  /** An SSL context trusting the test CA, for JDK clients, when TLS is on. */
  public Optional<SSLContext> sslContext() {
    return Optional.ofNullable(sslContext);
  }

  /** The token service, when token auth is on. */
  public Optional<TokenService> tokenService() {
    return Optional.ofNullable(tokenService);
  }

  /** The registry's own log (stdout and stderr), for diagnosing a failed test. */
  public Path logFile() {
    return log;
  }

  /** The temporary folder holding storage, configuration and keys; deleted on close. */
  public Path directory() {
    return directory;
  }

  /**
   * An {@code Authorization} header value that may push to {@code repository}: Basic for the
   * first htpasswd user, or a Bearer token minted directly by the token service; null for an
   * anonymous registry.
   */
  public String pushAuthorization(String repository) {
    if (tokenService != null) {
      return "Bearer " + tokenService.mint("admin", repository, List.of("pull", "push"), tokenService.lifetime());
    }
    if (!basicUsers.isEmpty()) {
      Map.Entry<String, String> user = basicUsers.entrySet().iterator().next();
      return basicHeader(user.getKey(), user.getValue());
    }
    return null;
  }

  /** A Docker config JSON ({@code {"auths":{host:{"auth":base64(user:password)}}}}) for this registry. */
  public String dockerConfigJson(String user, String password) {
    String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return "{\"auths\":{\"" + host() + "\":{\"auth\":\"" + auth + "\"}}}";
  }

  /** The HTTP client TestImages uses (trusting the test CA when TLS is on). */
  HttpClient httpClient() {
    return http;
  }

  static String basicHeader(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Stops the registry and the token service and deletes the temporary folder. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    if (tokenService != null) {
      tokenService.stop();
    }
    deleteRecursively(directory);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: a leftover temp file must not fail a test
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** Options of a {@link LocalRegistry}. */
  public static final class Builder {
    private final Map<String, String> basicUsers = new LinkedHashMap<>();
    private final Map<String, String> tokenUsers = new LinkedHashMap<>();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private boolean tokenAuth;
    private boolean anonymousPull;
    private Duration tokenLifetime = Duration.ofMinutes(5);
    private boolean tls;

    private Builder() {}

    /** htpasswd Basic auth with this user (bcrypt); call again for more users. */
    public Builder basicAuth(String user, String password) {
      basicUsers.put(user, password);
      return this;
    }

    /** Bearer token auth with a token service that knows this user; call again for more users. */
    public Builder tokenAuth(String user, String password) {
      tokenAuth = true;
      tokenUsers.put(user, password);
      return this;
    }

    /** With token auth: the token service also grants {@code pull} to anonymous requests. */
    public Builder anonymousPull() {
      anonymousPull = true;
      return this;
    }

    /** With token auth: an OAuth2 refresh token ({@code identitytoken}) the token service accepts. */
    public Builder refreshToken(String token) {
      tokenAuth = true;
      refreshTokens.add(token);
      return this;
    }

    /** With token auth: the {@code expires_in} of issued tokens (the JWT expiry too). Default 5 min. */
    public Builder tokenLifetime(Duration lifetime) {
      tokenLifetime = lifetime;
      return this;
    }

    /** HTTPS with a certificate for 127.0.0.1 signed by a fresh test CA. */
    public Builder tls() {
      tls = true;
      return this;
    }

    /**
     * Starts the registry and waits until it answers {@code /v2/}.
     *
     * <p>Without the binary the calling test is skipped with a message saying how to install it,
     * except under {@code CI=true}, where that fails the build.
     *
     * @throws IllegalStateException when the registry does not come up
     */
    public LocalRegistry start() {
      if (!basicUsers.isEmpty() && tokenAuth) {
        throw new IllegalArgumentException("choose either basicAuth or tokenAuth");
      }
      Path binary = Path.of(System.getProperty(BINARY_PROPERTY, DEFAULT_BINARY));
      if (!Files.isExecutable(binary)) {
        String message = "the docker-registry binary (distribution 2.8) was not found at " + binary
            + ": install it with 'apt-get install -y docker-registry' (Debian/Ubuntu), or point the system property "
            + BINARY_PROPERTY + " at it";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          throw new IllegalStateException(message + "; under CI=true it is required");
        }
        System.err.println("SKIPPED: " + message);
        org.junit.jupiter.api.Assumptions.abort(message);
      }
      Path dir = null;
      TokenService tokens = null;
      try {
        dir = Files.createTempDirectory("promgate-registry-");
        Files.createDirectories(dir.resolve("storage"));
        StringBuilder yaml = new StringBuilder()
            .append("version: 0.1\n")
            .append("log:\n  level: info\n  accesslog:\n    disabled: true\n")
            .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("storage")).append('\n')
            .append("  delete:\n    enabled: true\n")
            .append("  maintenance:\n    uploadpurging:\n      enabled: false\n")
            .append("http:\n  addr: 127.0.0.1:0\n  secret: ").append(UUID.randomUUID()).append('\n');
        Path ca = null;
        SSLContext ssl = null;
        if (tls) {
          Certificates certs = Certificates.generate(dir);
          ca = certs.caFile();
          ssl = certs.sslContext();
          yaml.append("  tls:\n    certificate: ").append(certs.serverCertFile()).append('\n')
              .append("    key: ").append(certs.serverKeyFile()).append('\n');
        }
        if (!basicUsers.isEmpty()) {
          Path htpasswd = dir.resolve("htpasswd");
          StringBuilder lines = new StringBuilder();
          SecureRandom random = new SecureRandom();
          for (Map.Entry<String, String> u : basicUsers.entrySet()) {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            lines.append(u.getKey()).append(':')
                .append(OpenBSDBCrypt.generate("2y", u.getValue().toCharArray(), salt, 5)).append('\n');
          }
          Files.writeString(htpasswd, lines);
          yaml.append("auth:\n  htpasswd:\n    realm: promgate-test\n    path: ").append(htpasswd).append('\n');
        }
        if (tokenAuth) {
          tokens = new TokenService(dir, tokenUsers, refreshTokens, anonymousPull, tokenLifetime);
          yaml.append("auth:\n  token:\n    realm: ").append(tokens.realm()).append('\n')
              .append("    service: ").append(SERVICE).append('\n')
              .append("    issuer: ").append(ISSUER).append('\n')
              .append("    rootcertbundle: ").append(tokens.rootCertBundle()).append('\n');
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, yaml);
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
            .redirectErrorStream(true).start();
        int port = awaitPort(process, log);
        LocalRegistry registry = new LocalRegistry(process, dir, log, port, tls, ca, ssl, basicUsers, tokens);
        registry.awaitReady();
        return registry;
      } catch (IOException | RuntimeException e) {
        if (tokens != null) {
          tokens.stop();
        }
        if (dir != null) {
          deleteRecursively(dir);
        }
        throw e instanceof IOException io
            ? new UncheckedIOException("cannot start docker-registry: " + io.getMessage(), io)
            : (RuntimeException) e;
      }
    }
  }

  private static int awaitPort(Process process, Path log) throws IOException {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Writer logWriter = Files.newBufferedWriter(log);
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); Writer out = logWriter) {
        String line;
        while ((line = in.readLine()) != null) {
          out.write(line);
          out.write('\n');
          out.flush();
          Matcher m = LISTENING.matcher(line);
          if (!port.isDone() && m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
      port.completeExceptionally(new IllegalStateException("docker-registry exited (" + exitCode(process)
          + ") before listening; see " + log));
    }, "docker-registry-log");
    pump.setDaemon(true);
    pump.start();
    try {
      return port.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      process.destroyForcibly();
      throw new IllegalStateException(e.getCause().getMessage() + ":\n" + tail(log), e.getCause());
    } catch (TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException("docker-registry did not start listening within " + STARTUP + ":\n" + tail(log));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while starting docker-registry", e);
    }
  }

  private static String exitCode(Process p) {
    try {
      p.waitFor(2, TimeUnit.SECONDS);
      return p.isAlive() ? "still running" : "exit code " + p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private void awaitReady() {
    Instant until = Instant.now().plus(STARTUP);
    String last = "no answer";
    while (Instant.now().isBefore(until)) {
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri("/v2/")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return;
        }
        last = "status " + r.statusCode();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
    throw new IllegalStateException("docker-registry on port " + port + " never answered /v2/ (" + last + "):\n"
        + tail(log));
  }

  /**
   * The token realm of a token-auth registry: {@code GET /token?service=…&scope=…} with Basic
   * credentials (or none), and the OAuth2 {@code POST /token} with {@code grant_type=refresh_token}.
   * Known users get every action they ask for; anonymous requests get {@code pull} only when
   * {@link Builder#anonymousPull()} was set, else a token without access (the registry then
   * refuses with 401). It counts its requests, so tests can check token caching.
   */
  public static final class TokenService {
    private final HttpServer server;
    private final KeyPair key;
    private final X509Certificate certificate;
    private final Path rootCertBundle;
    private final Map<String, String> users;
    private final Set<String> refreshTokens;
    private final boolean anonymousPull;
    private volatile Duration lifetime;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    TokenService(Path dir, Map<String, String> users, Set<String> refreshTokens, boolean anonymousPull,
                 Duration lifetime) throws IOException {
      this.users = Map.copyOf(users);
      this.refreshTokens = refreshTokens;
      this.anonymousPull = anonymousPull;
      this.lifetime = lifetime;
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        this.key = g.generateKeyPair();
        this.certificate = Certificates.selfSigned(key, "CN=promgate test token signer");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
      this.rootCertBundle = dir.resolve("token-root.pem");
      Files.writeString(rootCertBundle, Certificates.pem(certificate));
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/token", this::handle);
      server.start();
    }

    /** {@code http://127.0.0.1:<port>/token}. */
    public String realm() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    Path rootCertBundle() {
      return rootCertBundle;
    }

    /** Token requests served so far. */
    public int requests() {
      return requests.get();
    }

    /** The scopes asked for, in order. */
    public List<String> requestedScopes() {
      return List.copyOf(scopes);
    }

    public Duration lifetime() {
      return lifetime;
    }

    /** Changes the {@code expires_in} (and JWT expiry) of tokens issued from now on. */
    public void lifetime(Duration newLifetime) {
      lifetime = newLifetime;
    }

    void stop() {
      server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        requests.incrementAndGet();
        Map<String, List<String>> params = new LinkedHashMap<>();
        parseForm(exchange.getRequestURI().getRawQuery(), params);
        String subject = null;
        if (exchange.getRequestMethod().equals("POST")) {
          parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), params);
          String refresh = first(params, "refresh_token");
          if (!"refresh_token".equals(first(params, "grant_type")) || refresh == null
              || !refreshTokens.contains(refresh)) {
            answer(exchange, 401, "{\"error\":\"invalid_grant\"}");
            return;
          }
          subject = "refresh-token-user";
          List<String> split = new ArrayList<>();
          for (String s : params.getOrDefault("scope", List.of())) {
            split.addAll(List.of(s.split(" ")));
          }
          params.put("scope", split);
        } else {
          String authorization = exchange.getRequestHeaders().getFirst("Authorization");
          if (authorization != null) {
            subject = authenticate(authorization);
            if (subject == null) {
              answer(exchange, 401, "{\"details\":\"invalid credentials\"}");
              return;
            }
          }
        }
        if (!SERVICE.equals(first(params, "service"))) {
          answer(exchange, 400, "{\"details\":\"unknown service\"}");
          return;
        }
        List<Map<String, Object>> access = new ArrayList<>();
        for (String scope : params.getOrDefault("scope", List.of())) {
          scopes.add(scope);
          String[] parts = scope.split(":");
          if (parts.length != 3 || !parts[0].equals("repository")) {
            continue;
          }
          List<String> actions = new ArrayList<>();
          for (String action : parts[2].split(",")) {
            if (subject != null || (anonymousPull && action.equals("pull"))) {
              actions.add(action);
            }
          }
          access.add(Map.of("type", "repository", "name", parts[1], "actions", actions));
        }
        Duration life = lifetime;
        String token = mint(subject == null ? "" : subject, access, life);
        answer(exchange, 200, JSON.writeValueAsString(Map.of("token", token, "access_token", token,
            "expires_in", life.toSeconds(), "issued_at", Instant.now().toString())));
      }
    }

    private String authenticate(String authorization) {
      if (!authorization.startsWith("Basic ")) {
        return null;
      }
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        return null;
      }
      String user = decoded.substring(0, colon);
      return decoded.substring(colon + 1).equals(users.get(user)) ? user : null;
    }

    String mint(String subject, String repository, List<String> actions, Duration life) {
      return mint(subject, List.of(Map.of("type", "repository", "name", repository, "actions", actions)), life);
    }

    /** An ES256 JWT with the signing certificate in {@code x5c}, as distribution's token auth expects. */
    String mint(String subject, List<Map<String, Object>> access, Duration life) {
      try {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", "ES256");
        header.put("x5c", List.of(Base64.getEncoder().encodeToString(certificate.getEncoded())));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", SERVICE);
        claims.put("exp", now + life.toSeconds());
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(JSON.writeValueAsBytes(header)) + "."
            + url.encodeToString(JSON.writeValueAsBytes(claims));
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(key.getPrivate());
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(signer.sign());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot mint a test token", e);
      }
    }

    private static void parseForm(String form, Map<String, List<String>> into) {
      if (form == null || form.isEmpty()) {
        return;
      }
      for (String pair : form.split("&")) {
        int eq = pair.indexOf('=');
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        into.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }

    private static String first(Map<String, List<String>> params, String name) {
      List<String> values = params.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** A test CA and a server certificate for 127.0.0.1, as PEM files, and a JDK SSL context trusting the CA. */
  private record Certificates(Path caFile, Path serverCertFile, Path serverKeyFile, SSLContext sslContext) {

    static Certificates generate(Path dir) throws IOException {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair caKey = g.generateKeyPair();
        X509Certificate ca = selfSigned(caKey, "CN=promgate test registry CA");
        KeyPair serverKey = g.generateKeyPair();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(ca.getSubjectX500Principal().getName()),
            BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=127.0.0.1"), serverKey.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate server = sign(b, caKey.getPrivate());
        Path caFile = dir.resolve("ca.pem");
        Path certFile = dir.resolve("server.pem");
        Path keyFile = dir.resolve("server.key");
        Files.writeString(caFile, pem(ca));
        Files.writeString(certFile, pem(server));
        // PKCS#8, which Go's TLS stack reads for any key type.
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(serverKey.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return new Certificates(caFile, certFile, keyFile, ssl);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot generate test certificates", e);
      }
    }

    static X509Certificate selfSigned(KeyPair key, String dn) throws GeneralSecurityException {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(dn),
          BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(2))), new X500Name(dn), key.getPublic());
      try {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true,
            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return sign(b, key.getPrivate());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey signer)
        throws GeneralSecurityException {
      try {
        return new JcaX509CertificateConverter().getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
      } catch (OperatorCreationException e) {
        throw new GeneralSecurityException(e);
      }
    }

    static String pem(Object o) {
      StringWriter s = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(s)) {
        w.writeObject(o);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return s.toString();
    }
  }
}
