package dev.promgate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WireRulesTest {

  @ParameterizedTest(name = "accepted: {0}")
  @ValueSource(strings = {"application/json", "Application/JSON", "application/json; charset=utf-8",
      "application/json;charset=UTF-8", "application/json; charset=\"utf-8\"", "application/json;"})
  void jsonWithAtMostUtf8IsAccepted(String contentType) {
    assertNull(WireRules.contentTypeProblem(contentType));
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(strings = {"application/jsonx", "application/json-patch+json", "text/json", "text/plain",
      "application/json; charset=utf-16", "application/json; charset=iso-8859-1", "application/json; boundary=x",
      "application/json, text/plain", "application/json; charset", ""})
  void anythingElseIsRefused(String contentType) {
    assertNotNull(WireRules.contentTypeProblem(contentType), contentType);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "well-formed ASCII, 7b7d, -1",
      "two bytes é, 22c3a922, -1",
      "three bytes €, 22e282ac22, -1",
      "four bytes 😀, 22f09f988022, -1",
      "highest code point, f48fbfbf, -1",
      "overlong slash, 22c0af22, 1",
      "overlong NUL, c080, 0",
      "overlong three bytes, e080af, 0",
      "overlong four bytes, f08080af, 0",
      "UTF-16 surrogate, 22eda080, 1",
      "past U+10FFFF, f4908080, 0",
      "lone continuation, 2280, 1",
      "truncated, 22e282, 1",
      "bad continuation, c328, 0",
      "five-byte form, f888808080, 0",
  })
  void malformedUtf8IsFoundWhereItStarts(String what, String hex, int at) {
    assertEquals(at, WireRules.malformedUtf8At(HexFormat.of().parseHex(hex)), what);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"kind\":\"AdmissionReview\"}", "ünïcödé ✓ 漢字 𝄞"})
  void whatJavaWritesAsUtf8IsWellFormed(String text) {
    assertEquals(-1, WireRules.malformedUtf8At(text.getBytes(StandardCharsets.UTF_8)));
  }
}
