package dev.promgate.trustroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A mirror host name is looked up before anything is fetched, and a name that resolves to an address
 * promgate never connects to (as a registry's would be) is refused, without a connection.
 */
class MirrorFetcherTest {

  @Test
  void aNameThatResolvesToTheMetadataAddressIsRefusedBeforeConnecting() throws Exception {
    List<String> looked = new ArrayList<>();
    MirrorFetcher fetcher = new MirrorFetcher(HttpClient.newHttpClient(), URI.create("https://tuf.acme.example/"),
        Duration.ofSeconds(1), host -> {
          looked.add(host);
          return new InetAddress[] {InetAddress.getByName("10.0.0.7"), InetAddress.getByName("fd00:ec2::254")};
        });
    IOException refused = assertThrows(IOException.class, () -> fetcher.fetchResource("1.root.json", 1024));
    assertEquals("the TUF mirror host tuf.acme.example resolves to fd00:ec2:0:0:0:0:0:254, a cloud metadata address;"
        + " promgate never connects there, whatever spec.trustedRootMirrors lists", refused.getMessage());
    assertEquals(List.of("tuf.acme.example"), looked);
  }
}
