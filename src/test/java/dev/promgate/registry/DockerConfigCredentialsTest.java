package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Await;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which docker-config entry applies to which registry and repository, and reloading. */
class DockerConfigCredentialsTest {

  static Vertx vertx;

  @TempDir
  Path temp;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  private static String auth(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private DockerConfigCredentials credentials(String json) throws IOException {
    Path file = temp.resolve("config.json");
    Files.writeString(file, json);
    return new DockerConfigCredentials(vertx, file, Duration.ZERO);
  }

  private static String user(DockerConfigCredentials c, String registry, String repository) {
    DockerConfigCredentials.Lookup l = Await.result(c.lookup(registry, repository,
        new Call(Instant.now().plusSeconds(10), java.time.Clock.systemUTC(), null)));
    return l.credential().map(cred -> cred instanceof RegistryCredential.Basic b ? b.username() : cred.toString())
        .orElse("none");
  }

  @Test
  void matchesKeysTheWayTheKubeletDoes() throws IOException {
    DockerConfigCredentials c = credentials("{\"auths\":{"
        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub", "p") + "\"},"
        + "\"registry.acme.example\":{\"auth\":\"" + auth("acme", "p") + "\"},"
        + "\"registry.acme.example/shop\":{\"auth\":\"" + auth("shop", "p") + "\"},"
        + "\"*.mirror.example\":{\"username\":\"mirror\",\"password\":\"p\"},"
        + "\"https://localhost:5000/v2/\":{\"auth\":\"" + auth("local", "p") + "\"}}}");

    assertEquals("hub", user(c, "docker.io", "library/nginx"));
    assertEquals("acme", user(c, "registry.acme.example", "other/web"));
    assertEquals("shop", user(c, "registry.acme.example", "shop/web"), "a path key is more specific");
    assertEquals("acme", user(c, "registry.acme.example", "shopping/web"), "paths match whole segments");
    assertEquals("mirror", user(c, "eu.mirror.example", "x/y"));
    assertEquals("none", user(c, "a.b.mirror.example", "x/y"), "a star is one DNS label");
    assertEquals("local", user(c, "localhost:5000", "x"));
    assertEquals("none", user(c, "localhost", "x"), "ports must match");
  }

  @Test
  void readsIdentityAndRegistryTokensAndNeverPrintsSecrets() throws IOException {
    DockerConfigCredentials c = credentials("{\"auths\":{"
        + "\"a.example\":{\"username\":\"u\",\"identitytoken\":\"refresh-secret\"},"
        + "\"b.example\":{\"registrytoken\":\"bearer-secret\"}}}");

    assertEquals("IdentityToken[u]", user(c, "a.example", "x"));
    assertEquals("RegistryToken[…]", user(c, "b.example", "x"));
  }

  @Test
  void aBrokenFileKeepsTheLastGoodEntriesAndSaysWhy() throws IOException {
    DockerConfigCredentials c = credentials("{\"auths\":{\"a.example\":{\"auth\":\"" + auth("u", "p") + "\"}}}");
    assertEquals("u", user(c, "a.example", "x"));

    Files.writeString(temp.resolve("config.json"), "{\"auths\":");

    DockerConfigCredentials.Lookup l = Await.result(c.lookup("a.example", "x",
        new Call(Instant.now().plusSeconds(10), java.time.Clock.systemUTC(), null)));
    assertTrue(l.credential().isPresent());
    assertTrue(l.source().contains("is not valid JSON"), l.source());
    assertTrue(l.source().contains("the last good entries stay in use"), l.source());
  }

  private static DockerConfigCredentials.Lookup lookup(DockerConfigCredentials c, String registry, String repository) {
    return Await.result(c.lookup(registry, repository,
        new Call(Instant.now().plusSeconds(10), java.time.Clock.systemUTC(), null)));
  }

  private static String userAndPassword(DockerConfigCredentials c, String registry) {
    return lookup(c, registry, "x").credential()
        .map(cred -> cred instanceof RegistryCredential.Basic b ? b.username() + ":" + b.password() : cred.toString())
        .orElse("none");
  }

  @Test
  void duplicateKeysAreReadAsGoReadsThemTheLastOneWins() throws IOException {
    // Go's encoding/json (docker, the kubelet) keeps the last duplicate, decodes a repeated "auths"
    // into the map it already has, and leaves a string field alone on null.
    DockerConfigCredentials c = credentials("{\"auths\":{"
        + "\"a.example\":{\"auth\":\"" + auth("first", "p1") + "\"},"
        + "\"a.example\":{\"auth\":\"" + auth("second", "p2") + "\"},"
        + "\"b.example\":{\"username\":\"u\",\"password\":\"old\",\"password\":\"new\",\"password\":null}},"
        + "\"auths\":{\"c.example\":{\"username\":\"c\",\"password\":\"p\"}},"
        + "\"credsStore\":\"desktop\",\"credsStore\":\"osxkeychain\"}");

    assertEquals("second:p2", userAndPassword(c, "a.example"));
    assertEquals("u:new", userAndPassword(c, "b.example"));
    assertEquals("c:p", userAndPassword(c, "c.example"), "a second \"auths\" adds to the first");
    assertTrue(lookup(c, "a.example", "x").source().endsWith("entry \"a.example\""), lookup(c, "a.example", "x").source());
  }

  @Test
  void aNullAuthsClearsTheEntriesBeforeItAsInGo() throws IOException {
    DockerConfigCredentials c = credentials("{\"auths\":{\"a.example\":{\"auth\":\"" + auth("a", "p") + "\"}},"
        + "\"auths\":null,\"auths\":{\"b.example\":{\"auth\":\"" + auth("b", "p") + "\"}}}");

    assertEquals("none", userAndPassword(c, "a.example"));
    assertEquals("b:p", userAndPassword(c, "b.example"));
  }

  @Test
  void fieldNamesMatchWithoutRegardToCaseAndUnknownFieldsAreIgnored() throws IOException {
    DockerConfigCredentials c = credentials("{\"Auths\":{"
        + "\"a.example\":{\"Auth\":\"" + auth("a", "p") + "\",\"email\":\"a@acme.example\","
        + "\"serveraddress\":\"a.example\",\"extra\":{\"nested\":[1,2,{\"x\":null}]}},"
        + "\"b.example\":{\"USERNAME\":\"b\",\"Password\":\"q\"},"
        + "\"c.example\":{\"IdentityToken\":\"refresh\"}},"
        + "\"credHelpers\":{\"gcr.io\":\"gcloud\"},\"HttpHeaders\":{\"User-Agent\":\"x\"},"
        + "\"proxies\":{\"default\":{\"httpProxy\":\"http://proxy:3128\"}},\"experimental\":\"enabled\"}");

    assertEquals("a:p", userAndPassword(c, "a.example"));
    assertEquals("b:q", userAndPassword(c, "b.example"));
    assertEquals("IdentityToken[]", userAndPassword(c, "c.example"));
  }

  @Test
  void readsTheLegacyDockercfgFlatMap() throws IOException {
    // A kubernetes.io/dockercfg secret's .dockercfg: the entries without "auths".
    DockerConfigCredentials c = credentials("{"
        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub", "p") + "\",\"email\":\"me@acme.example\"},"
        + "\"registry.acme.example:5000\":{\"username\":\"acme\",\"password\":\"q\"},"
        + "\"registry.acme.example:5000\":{\"username\":\"acme2\",\"password\":\"r\"}}");

    assertEquals("hub:p", userAndPassword(c, "docker.io"));
    assertEquals("acme2:r", userAndPassword(c, "registry.acme.example:5000"));
  }

  @Test
  void aConfigWithoutAuthsHasNoEntries() throws IOException {
    assertEquals("none", userAndPassword(credentials("{\"credsStore\":\"desktop\"}"), "docker.io"));
    assertEquals("none", userAndPassword(credentials("{}"), "docker.io"));
    assertEquals("none", userAndPassword(credentials("null"), "docker.io"));
    assertEquals("none", userAndPassword(credentials("{\"auths\":{\"a.example\":null,\"b.example\":{}}}"), "a.example"));
  }

  @Test
  void dockerHubAndUrlKeysAreTheRegistriesDockerMeans() throws IOException {
    for (String hubKey : new String[] {"https://index.docker.io/v1/", "docker.io", "index.docker.io",
        "registry-1.docker.io", "http://index.docker.io/v1", "Index.Docker.IO"}) {
      DockerConfigCredentials c = credentials("{\"auths\":{\"" + hubKey + "\":{\"auth\":\"" + auth("hub", "p") + "\"}}}");
      assertEquals("hub:p", userAndPassword(c, "docker.io"), hubKey);
    }
    DockerConfigCredentials c = credentials("{\"auths\":{"
        + "\"https://registry.acme.example/v2/\":{\"auth\":\"" + auth("acme", "p") + "\"},"
        + "\"https://registry.acme.example/v2/shop\":{\"auth\":\"" + auth("shop", "p") + "\"},"
        + "\"http://Registry.Acme.Example/v1/team/\":{\"auth\":\"" + auth("team", "p") + "\"}}}");
    assertEquals("acme", user(c, "registry.acme.example", "other/web"));
    assertEquals("shop", user(c, "registry.acme.example", "shop/web"), "/v2/ before a path is the API, not the path");
    assertEquals("team", user(c, "registry.acme.example", "team/web"));
  }

  @Test
  void authIsReadPaddedOrNotAcrossLinesAndWithoutTrailingNuls() throws IOException {
    String padded = auth("u", "pw"); // "dTpwdw==": two padding characters
    String unpadded = padded.replace("=", "");
    String wrapped = padded.substring(0, 4) + "\\n" + padded.substring(4);
    String nul = Base64.getEncoder().encodeToString("u:pw\0\0".getBytes(StandardCharsets.UTF_8));
    DockerConfigCredentials c = credentials("{\"auths\":{"
        + "\"a.example\":{\"auth\":\"" + padded + "\"},"
        + "\"b.example\":{\"auth\":\"" + unpadded + "\"},"
        + "\"c.example\":{\"auth\":\"" + wrapped + "\"},"
        + "\"d.example\":{\"auth\":\"" + nul + "\"}}}");

    for (String registry : new String[] {"a.example", "b.example", "c.example", "d.example"}) {
      assertEquals("u:pw", userAndPassword(c, registry), registry);
    }
  }

  @Test
  void invalidUtf8IsReplacedAsGoReplacesIt() throws IOException {
    Path file = temp.resolve("config.json");
    byte[] head = ("{\"auths\":{\"a.example\":{\"username\":\"u\",\"password\":\"p\",\"email\":\"").getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\"}}}".getBytes(StandardCharsets.UTF_8);
    byte[] json = new byte[head.length + 2 + tail.length];
    System.arraycopy(head, 0, json, 0, head.length);
    json[head.length] = (byte) 0xff;
    json[head.length + 1] = (byte) 0xfe;
    System.arraycopy(tail, 0, json, head.length + 2, tail.length);
    Files.write(file, json);

    assertEquals("u:p", userAndPassword(new DockerConfigCredentials(vertx, file, Duration.ZERO), "a.example"));
  }

  @Test
  void whatGoRefusesIsRefusedNamingTheFileAndNeverTheSecret() throws IOException {
    String secret = "s3cr3t-Passw0rd";
    String encoded = auth("u", secret);
    String[][] cases = {
        {"{\"auths\":{\"a.example\":{\"username\":\"u\",\"password\":\"" + secret + "\"}}} {\"x\":1}",
            "has data after the JSON value at line 1"},
        {"{\"auths\":{\"a.example\":{\"username\":\"u\",\"password\":" + secret + "}}}", "is not valid JSON at line 1"},
        {"{\"auths\":{\"a.example\":{\"auth\":" + encoded + "}}}", "is not valid JSON at line 1"},
        {"{\"auths\":{\"a.example\":{\"auth\":\"" + encoded + "\"", "is not valid JSON"},
        {"{\"auths\":{\"a.example\":{\"username\":\"u\",\"password\":[\"" + secret + "\"]}}}",
            "the entry \"a.example\" has \"password\" of the wrong type: expected a string, not an array"},
        {"{\"auths\":[{\"auth\":\"" + encoded + "\"}]}", "\"auths\" must be an object, not an array"},
        {"{\"auths\":{\"a.example\":\"" + encoded + "\"}}", "the entry \"a.example\" must be an object, not a string"},
        {"[\"" + encoded + "\"]", "is not a docker config: expected a JSON object, not an array"},
        {"", "is empty"},
    };
    for (String[] bad : cases) {
      DockerConfigCredentials c = credentials(bad[0]);
      String source = lookup(c, "a.example", "x").source();
      assertTrue(source.contains("docker config " + temp.resolve("config.json")), source);
      assertTrue(source.contains(bad[1]), bad[0] + " → " + source);
      assertTrue(!source.contains(secret) && !source.contains(encoded), source);
      assertEquals("none", userAndPassword(c, "a.example"));
    }
  }

  @Test
  void aBadAuthIsReportedWithoutItsValueAndTheOtherEntriesStay() throws IOException {
    String secret = "hunter2-secret";
    String notBase64 = "!!" + secret;
    String noColon = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
    DockerConfigCredentials c = credentials("{\"auths\":{"
        + "\"a.example\":{\"auth\":\"" + notBase64 + "\"},"
        + "\"b.example\":{\"auth\":\"" + noColon + "\"},"
        + "\"c.example\":{\"auth\":\"" + auth("c", "p") + "\"}}}");

    assertEquals("c:p", userAndPassword(c, "c.example"));
    String source = lookup(c, "a.example", "x").source();
    assertTrue(source.contains("entry \"a.example\": \"auth\" is not base64"), source);
    assertTrue(source.contains("entry \"b.example\": \"auth\" does not decode to user:password"), source);
    assertTrue(!source.contains(secret) && !source.contains(noColon), source);
  }
}
