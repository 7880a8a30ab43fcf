package dev.promgate.notation;

import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, bounded CBOR (RFC 8949) reader for COSE_Sign1 envelopes: enough of the format to read
 * what the Notary Project signs, nothing that can make it allocate more than the input or recurse
 * without end.
 *
 * <p>Values map to Java as: unsigned and negative integers to {@link Long} (or {@link BigInteger}
 * past its range), byte strings to {@code byte[]}, text strings to {@link String} (strict UTF-8),
 * arrays to {@link List}, maps to {@link LinkedHashMap} (duplicate keys are refused: a verifier and
 * a signer must not read different values), tags to {@link Tagged}, {@code true}/{@code false} to
 * {@link Boolean}, {@code null} and {@code undefined} to {@link #NULL}, floats to {@link Double}.
 * Indefinite-length items are refused: COSE requires deterministic encoding.
 *
 * <p>Bounds: nesting deeper than {@value #MAX_DEPTH} is refused; a declared length or element count
 * is checked against the bytes that remain before anything is allocated, so a tiny input cannot
 * claim a huge array.
 */
final class Cbor {

  static final int MAX_DEPTH = 16;

  /** CBOR {@code null} or {@code undefined}. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /** A tagged item, such as tag 18 (COSE_Sign1) or tag 1 (epoch-based date/time). */
  record Tagged(long tag, Object value) {}

  /** Input that is not the CBOR this reader accepts. */
  static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  private final byte[] in;
  private int pos;

  private Cbor(byte[] in) {
    this.in = in;
  }

  /** The one item that {@code bytes} holds; trailing bytes are an error. */
  static Object decode(byte[] bytes) throws MalformedException {
    Cbor reader = new Cbor(bytes);
    Object item = reader.item(0);
    if (reader.pos != bytes.length) {
      throw new MalformedException((bytes.length - reader.pos) + " bytes after the CBOR item");
    }
    return item;
  }

  /** The encoding of a byte string header, for building COSE's Sig_structure. */
  static byte[] header(int majorType, long length) {
    int mt = majorType << 5;
    if (length < 24) {
      return new byte[] {(byte) (mt | length)};
    }
    if (length < 0x100) {
      return new byte[] {(byte) (mt | 24), (byte) length};
    }
    if (length < 0x10000) {
      return new byte[] {(byte) (mt | 25), (byte) (length >> 8), (byte) length};
    }
    if (length < 0x100000000L) {
      return new byte[] {(byte) (mt | 26), (byte) (length >> 24), (byte) (length >> 16), (byte) (length >> 8),
          (byte) length};
    }
    byte[] h = new byte[9];
    h[0] = (byte) (mt | 27);
    for (int i = 0; i < 8; i++) {
      h[8 - i] = (byte) (length >> (8 * i));
    }
    return h;
  }

  private Object item(int depth) throws MalformedException {
    if (depth > MAX_DEPTH) {
      throw new MalformedException("CBOR nested deeper than " + MAX_DEPTH + " levels");
    }
    int initial = next();
    int major = initial >>> 5;
    int info = initial & 0x1f;
    if (major == 7) {
      return simple(info);
    }
    if (info == 31) {
      throw new MalformedException("indefinite-length CBOR items are not accepted");
    }
    BigInteger argument = argument(info);
    switch (major) {
      case 0:
        return integer(argument);
      case 1:
        return integer(argument.negate().subtract(BigInteger.ONE));
      case 2:
        return bytes(length(argument));
      case 3:
        return text(length(argument));
      case 4: {
        int count = count(argument, 1);
        List<Object> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          list.add(item(depth + 1));
        }
        return list;
      }
      case 5: {
        int count = count(argument, 2);
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
          Object key = item(depth + 1);
          if (key instanceof byte[]) {
            throw new MalformedException("a CBOR map key is a byte string, which COSE does not use");
          }
          Object value = item(depth + 1);
          if (map.putIfAbsent(key, value) != null) {
            throw new MalformedException("CBOR map has the key " + key + " twice");
          }
        }
        return map;
      }
      case 6:
        if (argument.bitLength() > 63) {
          throw new MalformedException("CBOR tag number out of range");
        }
        return new Tagged(argument.longValue(), item(depth + 1));
      default:
        throw new MalformedException("unknown CBOR major type " + major);
    }
  }

  private Object simple(int info) throws MalformedException {
    switch (info) {
      case 20:
        return Boolean.FALSE;
      case 21:
        return Boolean.TRUE;
      case 22:
      case 23:
        return NULL;
      case 25: {
        return halfFloat((int) readUnsigned(2));
      }
      case 26:
        return (double) Float.intBitsToFloat((int) readUnsigned(4));
      case 27:
        return Double.longBitsToDouble(readUnsigned(8));
      default:
        throw new MalformedException("unsupported CBOR simple value " + info);
    }
  }

  /** IEEE 754 half precision (RFC 8949 appendix D). */
  private static double halfFloat(int half) {
    int exponent = (half >> 10) & 0x1f;
    int mantissa = half & 0x3ff;
    double value;
    if (exponent == 0) {
      value = mantissa * Math.pow(2, -24);
    } else if (exponent != 31) {
      value = (mantissa + 1024) * Math.pow(2, exponent - 25);
    } else {
      value = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    }
    return (half & 0x8000) != 0 ? -value : value;
  }

  private BigInteger argument(int info) throws MalformedException {
    if (info < 24) {
      return BigInteger.valueOf(info);
    }
    int size = switch (info) {
      case 24 -> 1;
      case 25 -> 2;
      case 26 -> 4;
      case 27 -> 8;
      default -> throw new MalformedException("reserved CBOR additional information " + info);
    };
    need(size);
    byte[] raw = new byte[size];
    System.arraycopy(in, pos, raw, 0, size);
    pos += size;
    return new BigInteger(1, raw);
  }

  private static Object integer(BigInteger value) {
    return value.bitLength() <= 63 ? (Object) value.longValue() : value;
  }

  private int length(BigInteger declared) throws MalformedException {
    if (declared.compareTo(BigInteger.valueOf(in.length - pos)) > 0) {
      throw new MalformedException("CBOR string declares " + declared + " bytes, more than the "
          + (in.length - pos) + " that remain");
    }
    return declared.intValue();
  }

  /** An element count, each element taking at least one byte ({@code perElement} for maps). */
  private int count(BigInteger declared, int perElement) throws MalformedException {
    if (declared.multiply(BigInteger.valueOf(perElement)).compareTo(BigInteger.valueOf(in.length - pos)) > 0) {
      throw new MalformedException("CBOR container declares " + declared + " elements, more than the "
          + (in.length - pos) + " bytes that remain can hold");
    }
    return declared.intValue();
  }

  private byte[] bytes(int length) {
    byte[] b = new byte[length];
    System.arraycopy(in, pos, b, 0, length);
    pos += length;
    return b;
  }

  private String text(int length) throws MalformedException {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(in, pos, length)).toString();
      pos += length;
      return s;
    } catch (CharacterCodingException e) {
      throw new MalformedException("CBOR text string is not valid UTF-8");
    }
  }

  private int next() throws MalformedException {
    need(1);
    return in[pos++] & 0xff;
  }

  private long readUnsigned(int size) throws MalformedException {
    need(size);
    long v = 0;
    for (int i = 0; i < size; i++) {
      v = (v << 8) | (in[pos++] & 0xff);
    }
    return v;
  }

  private void need(int n) throws MalformedException {
    if (in.length - pos < n) {
      throw new MalformedException("CBOR input ends early");
    }
  }
}
