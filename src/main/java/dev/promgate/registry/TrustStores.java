package dev.promgate.registry;

import dev.promgate.policy.PemCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust for one registry (or TUF mirror): the JVM's CAs plus its own CA bundle (PEM). Verification is
 * never switched off; a bundle only adds anchors.
 */
public final class TrustStores {

  private TrustStores() {}

  /**
   * A trust manager factory with the JVM's default anchors and every certificate of the PEM
   * bundle. Reads the file (blocking): call it when building the client, not on an event loop.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
   */
  public static TrustManagerFactory withExtraCas(Path pemBundle) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (X509Certificate ca : jvmAnchors()) {
        store.setCertificateEntry("jvm-" + n++, ca);
      }
      List<X509Certificate> extra;
      try {
        extra = PemCertificates.read(pemBundle.toString(), Files.readAllBytes(pemBundle));
      } catch (PemCertificates.Invalid e) {
        throw new IllegalArgumentException("CA bundle " + e.getMessage(), e);
      }
      int m = 0;
      for (X509Certificate c : extra) {
        store.setCertificateEntry("extra-" + m++, c);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read CA bundle " + pemBundle + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("CA bundle " + pemBundle + " is not a valid PEM certificate bundle: "
          + e.getMessage(), e);
    }
  }

  private static X509Certificate[] jvmAnchors() throws GeneralSecurityException {
    TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    defaults.init((KeyStore) null);
    for (TrustManager tm : defaults.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        return x509.getAcceptedIssuers();
      }
    }
    return new X509Certificate[0];
  }
}
