package dev.promgate.promotion;

/**
 * Encrypted-key test vectors made by other projects, verbatim.
 *
 * <ul>
 *   <li>{@link #COSIGN_GENERATED_EMPTY_PASSWORD}: a key made by {@code cosign generate-key-pair} with an
 *       empty password, as kept by sigstore-rs: {@code tests/data/keys/cosign_generated_encrypted_empty_private.key}
 *       (github.com/sigstore/sigstore-rs, commit f7828d20eef7854c3e83b5ed2c67988334c358af, Apache-2.0).</li>
 *   <li>{@link #SIGSTORE_RS_PASSWORD_123}: an ECDSA P-256 key in cosign's format, password {@code 123},
 *       made by sigstore-rs: {@code tests/data/keys/ecdsa_encrypted_private.key}
 *       (commit e2b6f33577afc981bb2900f7ab7d2699a76fc8e0, Apache-2.0; the password is the {@code PASSWORD}
 *       constant of {@code src/crypto/signing_key/ecdsa/ec.rs}).</li>
 *   <li>{@link #SECURESYSTEMSLIB_VECTORS}: the scrypt + secretbox vectors of go-securesystemslib's
 *       {@code encrypted} package, the code cosign encrypts keys with: {@code encrypted/encrypted_test.go}
 *       (github.com/secure-systems-lab/go-securesystemslib, commit bcb0d9f5a5937da512ba7d00bd518035e68b3763,
 *       MIT); password {@code supersecret}, plaintext {@code reallyimportant}, one per parameter set
 *       (legacy N=32768, standard N=65536, OWASP N=131072) plus {@code TestDecrypt}'s.</li>
 * </ul>
 */
final class CosignKeyVectors {

  private CosignKeyVectors() {}

  static final String COSIGN_GENERATED_EMPTY_PASSWORD = """
      -----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
      eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjo2NTUzNiwiciI6
      OCwicCI6MX0sInNhbHQiOiJFY3pJR3Z0bnpFcCsxaEpudERnbGI1UnoxN3gwQVMy
      YklvWGRNcDQrU1NJPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
      Iiwibm9uY2UiOiJtSVVKbG1OMzNINExvZ0dhaG5MamdmK3R4SmJwci93MCJ9LCJj
      aXBoZXJ0ZXh0IjoiM3FtS2FidXRuYm1WT1IvTkZGM2NDaUErTXp1WWQ5L0VERDVI
      MVlUSGhQVzZsSzAvdjVqdDZCQzlsME12NGV5am9qZkl0d3B6a2JJOXQrZGx5VXZ3
      VUgvMWZjbkFZT2dEdXRLQzkvSkNiOE02SVY2VHpVaDF5c0ZFWDFzeG9xb1FzeUpL
      bjM0UVlldFNlaVdDaGtmUHUyZXByQjFEV0pwekdzTGZIakxNVTkzOEdmNk1xM1A0
      N0ZSd2syZzY1cFZnSGMwVWV1L1N1OUs0Zmc9PSJ9
      -----END ENCRYPTED SIGSTORE PRIVATE KEY-----
      """;

  static final String SIGSTORE_RS_PASSWORD_123 = """
      -----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----
      eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6
      OCwicCI6MX0sInNhbHQiOiIrRFJrTXNRZmNUNTNKNCs1Y3VkUnlnWTUyWUMrK0RW
      TmxaSTN4VnlwWFlvPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
      Iiwibm9uY2UiOiJnNTFORnBqQUxlemhvbGVWTWVjUFJUNUErMVhMcDAxeiJ9LCJj
      aXBoZXJ0ZXh0Ijoib0YvN09mOGlQRDlkNlc2Mk5SWGVibEszWXZmNFFucTZORm16
      Q0VyV2FTVUJOZTNXSFJiRVNYK2dJOCszejg4TDBDVXlWdm9LTHhuR0xhVnhnczVD
      YUdyekcrMWxFTEI1cGRMVmZXd1VlQzlLelNab0hxZHZLaUsvUmNodVhpS0VqYmdv
      ajNGd2pMcmhEYkY5a2lVWk93REpuT01kUkoxNnI3emxjRHdwT3htOXFrbWFDWDlB
      VjQ4b1RXVG0rQXExOHlDZE50MDYybGdudVE9PSJ9
      -----END ENCRYPTED COSIGN PRIVATE KEY-----
      """;

  static final String SECURESYSTEMSLIB_PASSWORD = "supersecret";
  static final String SECURESYSTEMSLIB_PLAINTEXT = "reallyimportant";

  static final String[] SECURESYSTEMSLIB_VECTORS = {
      "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":32768,\"r\":8,\"p\":1},\"salt\":\"WO3mVvyTwJ9vwT5/Tk5OW5WPIBUofMjcpEfrLnfY4uA=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"tCy7HcTFr4uxv4Nrg/DWmncuZ148U1MX\"},\"ciphertext\":\"08n43p5G5yviPEZpO7tPPF4aZQkWiWjkv4taFdhDBA0tamKH4nw=\"}",
      "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":65536,\"r\":8,\"p\":1},\"salt\":\"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE\"},\"ciphertext\":\"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8=\"}",
      "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":131072,\"r\":8,\"p\":1},\"salt\":\"m38E3kouJTtiheLQN22NQ8DTito5hrjpUIskqcd375k=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"Y6PM13yA+o44pE/W1ZBwczeGnTV/m9Zc\"},\"ciphertext\":\"6H8sqj1K6B6yDjtH5AQ6lbFigg/C2yDDJc4rYJ79w9aVPImFIPI=\"}",
      "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":32768,\"r\":8,\"p\":1},\"salt\":\"N9a7x5JFGbrtB2uBR81jPwp0eiLR4A7FV3mjVAQrg1g=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"2h8HxMmgRfuYdpswZBQaU3xJ1nkA/5Ik\"},\"ciphertext\":\"SEW6sUh0jf2wfdjJGPNS9+bkk2uB+Cxamf32zR8XkQ==\"}",
  };

  /** go-securesystemslib's {@code TestUnsupportedKDFParameters}: N=99, r=99, p=99 must be refused. */
  static final String SECURESYSTEMSLIB_UNSUPPORTED =
      "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":99,\"r\":99,\"p\":99},\"salt\":\"cZFcQJdwPhPyhU1R4qkl0qVOIjZd4V/7LYYAavq166k=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"7vhRS7j0hEPBWV05skAdgLj81AkGeE7U\"},\"ciphertext\":\"6WYU/YSXVbYzl/NzaeAzmjLyfFhOOjLc0d8/GFV0aBFdJvyCcXc=\"}";
}
