package dev.promgate.registry;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Addresses promgate never connects to, whatever the GateConfig lists: link-local (where cloud
 * metadata services answer), the known cloud metadata addresses, unspecified, broadcast and
 * multicast, also when embedded in an IPv6 address. Checked for registries and their token and
 * redirect hosts ({@link Destinations}) and for TUF mirrors.
 */
public final class ForbiddenAddresses {

  private ForbiddenAddresses() {}

  /** Why promgate must not connect to {@code address}, or empty. */
  public static Optional<String> why(InetAddress address) {
    return Optional.ofNullable(forbidden(address));
  }

  /** Why promgate must not connect to this address, or null. */
  private static String forbidden(InetAddress a) {
    if (a.isLinkLocalAddress()) {
      return "a link-local address (where cloud metadata services answer)";
    }
    if (a.isAnyLocalAddress()) {
      return "the unspecified address";
    }
    if (a.isMulticastAddress()) {
      return "a multicast address";
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      String text = a.getHostAddress();
      if (first == 0) {
        return "an address of \"this network\" (0.0.0.0/8)";
      }
      if (text.equals("255.255.255.255")) {
        return "the broadcast address";
      }
      if (text.equals("100.100.100.200") || text.equals("168.63.129.16") || text.equals("192.0.0.192")) {
        return "a cloud metadata address";
      }
    }
    if (a instanceof Inet6Address) {
      String text = a.getHostAddress();
      if (text.equals("fd00:ec2:0:0:0:0:0:254")) {
        return "a cloud metadata address";
      }
      // IPv4-compatible or NAT64 forms of a forbidden IPv4 address.
      if (isIpv4Embedded(b)) {
        try {
          InetAddress v4 = InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
          String why = forbidden(v4);
          if (why != null) {
            return why + " (embedded in an IPv6 address)";
          }
        } catch (UnknownHostException e) {
          return "an unreadable address";
        }
      }
    }
    return null;
  }

  private static boolean isIpv4Embedded(byte[] b) {
    boolean compatible = true;
    for (int i = 0; i < 12; i++) {
      compatible &= b[i] == 0;
    }
    boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    return (compatible && b.length == 16 && !(b[12] == 0 && b[13] == 0 && b[14] == 0)) || nat64;
  }
}
