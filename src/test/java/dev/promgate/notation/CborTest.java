package dev.promgate.notation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 8949 appendix A vectors, and the bounds that keep hostile input small. */
class CborTest {

  private static Object decode(String hex) throws Cbor.MalformedException {
    return Cbor.decode(HexFormat.of().parseHex(hex));
  }

  @Test
  void readsTheRfcExamples() throws Exception {
    assertEquals(0L, decode("00"));
    assertEquals(1000000L, decode("1a000f4240"));
    assertEquals(-1000L, decode("3903e7"));
    assertEquals(new java.math.BigInteger("18446744073709551615"), decode("1bffffffffffffffff"));
    assertEquals(1.5, decode("f93e00"));
    assertEquals(100000.0, decode("fa47c35000"));
    assertEquals("\u00fc", decode("62c3bc"));
    assertArrayEquals(new byte[] {1, 2, 3, 4}, (byte[]) decode("4401020304"));
    assertEquals(List.of(1L, List.of(2L, 3L)), decode("8201820203"));
    assertEquals(Map.of(1L, 2L, 3L, 4L), decode("a201020304"));
    assertEquals(new Cbor.Tagged(1, 1363896240L), decode("c11a514b67b0"));
    assertEquals(Boolean.TRUE, decode("f5"));
  }

  @Test
  void refusesWhatCoseForbidsAndWhatCouldExhaustMemory() {
    assertThrows(Cbor.MalformedException.class, () -> decode("5f42010243030405ff"), "indefinite length");
    assertThrows(Cbor.MalformedException.class, () -> decode("9b00000000ffffffff"), "a huge declared array");
    assertThrows(Cbor.MalformedException.class, () -> decode("5a7fffffff00"), "a huge declared string");
    assertThrows(Cbor.MalformedException.class, () -> decode("a201020103"), "a duplicate map key");
    assertThrows(Cbor.MalformedException.class, () -> decode("0000"), "trailing bytes");
    assertThrows(Cbor.MalformedException.class, () -> decode("62c3"), "a truncated string");
    assertThrows(Cbor.MalformedException.class, () -> decode("62ff00"), "invalid UTF-8");
    Cbor.MalformedException deep = assertThrows(Cbor.MalformedException.class,
        () -> decode("81".repeat(Cbor.MAX_DEPTH + 1) + "00"));
    assertTrue(deep.getMessage().contains("deeper"));
  }

  @Test
  void encodesHeadersForTheSigStructure() {
    assertArrayEquals(HexFormat.of().parseHex("84"), Cbor.header(4, 4));
    assertArrayEquals(HexFormat.of().parseHex("5818"), Cbor.header(2, 24));
    assertArrayEquals(HexFormat.of().parseHex("590100"), Cbor.header(2, 256));
    assertArrayEquals(HexFormat.of().parseHex("5a00010000"), Cbor.header(2, 65536));
  }
}
