package dev.promgate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.promotion.SigningKey;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyPasswordsTest {

  static final InputStream NO_INPUT = new ByteArrayInputStream(new byte[0]);

  @TempDir
  Path directory;

  @Test
  void cosignPasswordIsReadAsCosignReadsIt() throws Exception {
    assertArrayEquals("s3cret".toCharArray(),
        KeyPasswords.of(Optional.empty(), Map.of("COSIGN_PASSWORD", "s3cret"), null, NO_INPUT).get());
    assertArrayEquals(new char[0], KeyPasswords.of(Optional.empty(), Map.of("COSIGN_PASSWORD", ""), null, NO_INPUT).get(),
        "set but empty is an empty password, as for cosign");
  }

  @Test
  void aPasswordFileWinsAndLosesOneTrailingLineBreak() throws Exception {
    Path file = Files.writeString(directory.resolve("pw"), "pass word\r\n");
    assertArrayEquals("pass word".toCharArray(),
        KeyPasswords.of(Optional.of(file), Map.of("COSIGN_PASSWORD", "other"), null, NO_INPUT).get());
    assertArrayEquals("from stdin".toCharArray(), KeyPasswords.of(Optional.of(Path.of("-")), Map.of(), null,
        new ByteArrayInputStream("from stdin\n".getBytes(StandardCharsets.UTF_8))).get());
  }

  @Test
  void withoutAnySourceTheMessageSaysHowToGiveIt() {
    var e = assertThrows(SigningKey.Unusable.class, () -> KeyPasswords.of(Optional.empty(), Map.of(), null, NO_INPUT).get());
    assertTrue(e.getMessage().contains("set COSIGN_PASSWORD (as for cosign) or pass --password-file FILE"), e.getMessage());
    var missing = assertThrows(SigningKey.Unusable.class,
        () -> KeyPasswords.of(Optional.of(directory.resolve("nope")), Map.of(), null, NO_INPUT).get());
    assertTrue(missing.getMessage().startsWith("cannot read the password file"), missing.getMessage());
  }
}
