package dev.promgate.policy;

import static dev.promgate.policy.PolicyFiles.API;
import static dev.promgate.policy.PolicyFiles.SHOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GateConfig {@code credentials.dockerConfigJson}: a file the kubelet pulls with is accepted, one Go's
 * {@code encoding/json} refuses is a problem naming the file, and no problem shows a secret.
 */
class DockerConfigLoaderTest {

  private static final String GATE = API + """
      kind: GateConfig
      spec:
        credentials:
          dockerConfigJson: secrets/config.json
      """;

  @TempDir
  Path dir;

  private static String auth(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private PolicyFiles files(String dockerConfig) {
    return PolicyFiles.withKeys(dir).write("shop.yaml", SHOP).write("gate.yaml", GATE)
        .write("secrets/config.json", dockerConfig);
  }

  @Test
  void duplicateKeysLegacyFilesAndUnknownFieldsAreAccepted() {
    for (String accepted : List.of(
        "{\"auths\":{\"a.example\":{\"auth\":\"" + auth("a", "1") + "\"},\"a.example\":{\"auth\":\"" + auth("a", "2")
            + "\"}},\"auths\":{}}",
        "{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub", "p") + "\",\"email\":\"me@acme.example\"}}",
        "{\"Auths\":{\"a.example\":{\"Username\":\"u\",\"Password\":\"p\",\"email\":null}},\"credsStore\":\"desktop\","
            + "\"credHelpers\":{\"gcr.io\":\"gcloud\"}}",
        "{\"credsStore\":\"desktop\"}")) {
      assertEquals(dir.resolve("secrets/config.json"), files(accepted).loaded().gate().credentials().orElseThrow(),
          accepted);
    }
  }

  @Test
  void whatGoRefusesIsAProblemNamingTheFileWithoutTheSecret() {
    String secret = "pa55-w0rd-never-shown";
    String display = "dockerConfigJson " + dir.resolve("secrets/config.json");
    List<String[]> refused = List.of(
        new String[] {"{\"auths\":{\"a.example\":{\"username\":\"u\",\"password\":\"" + secret + "\"}}}\n{}",
            display + " has data after the JSON value at line 2, column 1"},
        new String[] {"{\"auths\":{\"a.example\":{\"username\":\"u\",\"password\":" + secret + "}}}",
            display + " is not valid JSON at line 1"},
        new String[] {"{\"auths\":{\"a.example\":{\"username\":\"u\",\"password\":{\"v\":\"" + secret + "\"}}}}",
            display + ": the entry \"a.example\" has \"password\" of the wrong type: expected a string, not an object"},
        new String[] {"[\"" + secret + "\"]", display + " is not a docker config: expected a JSON object, not an array"});
    for (String[] bad : refused) {
      List<String> problems = files(bad[0]).problems();
      assertEquals(1, problems.size(), problems.toString());
      assertTrue(problems.get(0).contains(bad[1]), bad[0] + " → " + problems);
      assertFalse(problems.get(0).contains(secret), problems.toString());
    }
  }
}
