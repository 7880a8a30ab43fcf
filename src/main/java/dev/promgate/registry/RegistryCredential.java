package dev.promgate.registry;

import dev.promgate.image.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Credentials for one registry, from a docker config file. {@code toString} never shows a secret. */
sealed interface RegistryCredential {

  /** Distinguishes credentials in cache keys without keeping the secret in the key. */
  String fingerprint();

  /** A user name and password (or an access token used as a password, as ECR and GHCR do). */
  record Basic(String username, String password) implements RegistryCredential {
    String header() {
      return "Basic " + Base64.getEncoder().encodeToString(
          (username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String fingerprint() {
      return "basic:" + username + ":" + Digest.sha256Of(password.getBytes(StandardCharsets.UTF_8)).hex();
    }

    @Override
    public String toString() {
      return "Basic[" + username + "]";
    }
  }

  /** An OAuth2 refresh token ({@code identitytoken}) exchanged at the token service. */
  record IdentityToken(String username, String token) implements RegistryCredential {
    @Override
    public String fingerprint() {
      return "identity:" + Digest.sha256Of(token.getBytes(StandardCharsets.UTF_8)).hex();
    }

    @Override
    public String toString() {
      return "IdentityToken[" + username + "]";
    }
  }

  /** A bearer token sent to the registry as it is ({@code registrytoken}). */
  record RegistryToken(String token) implements RegistryCredential {
    @Override
    public String fingerprint() {
      return "registry-token:" + Digest.sha256Of(token.getBytes(StandardCharsets.UTF_8)).hex();
    }

    @Override
    public String toString() {
      return "RegistryToken[…]";
    }
  }
}
