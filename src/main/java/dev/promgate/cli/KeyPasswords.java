package dev.promgate.cli;

import dev.promgate.promotion.SigningKey;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Where the password of a cosign key comes from, in this order: {@code --password-file} (a file,
 * or {@code -} for standard input; one trailing line break is dropped), the environment variable
 * {@code COSIGN_PASSWORD} exactly as cosign reads it (set but empty means an empty password), or a
 * prompt on the terminal. Without any of them an encrypted key is refused with a message saying how
 * to give the password.
 */
final class KeyPasswords {

  static final String ENVIRONMENT_VARIABLE = "COSIGN_PASSWORD";

  private KeyPasswords() {}

  static SigningKey.Password of(Optional<Path> file, Map<String, String> environment, Console console,
                                InputStream stdin) {
    return () -> {
      if (file.isPresent()) {
        return fromFile(file.get(), stdin);
      }
      String variable = environment.get(ENVIRONMENT_VARIABLE);
      if (variable != null) {
        return variable.toCharArray();
      }
      if (console != null) {
        char[] typed = console.readPassword("Enter password for private key: ");
        if (typed != null) {
          return typed;
        }
      }
      throw new SigningKey.Unusable("the key is encrypted and no password was given: set " + ENVIRONMENT_VARIABLE
          + " (as for cosign) or pass --password-file FILE");
    };
  }

  private static char[] fromFile(Path file, InputStream stdin) throws SigningKey.Unusable {
    byte[] bytes;
    try {
      bytes = file.toString().equals("-") ? stdin.readNBytes(64 * 1024) : Files.readAllBytes(file);
    } catch (IOException e) {
      throw new SigningKey.Unusable("cannot read the password file " + file + ": " + e.getMessage());
    }
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\n') {
      end--;
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
    }
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, end));
      char[] password = new char[chars.remaining()];
      chars.get(password);
      return password;
    } catch (CharacterCodingException e) {
      throw new SigningKey.Unusable("the password file " + file + " is not UTF-8 text");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
