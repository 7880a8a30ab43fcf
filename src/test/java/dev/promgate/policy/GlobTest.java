package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobTest {

  @Test
  void doubleStarCrossesPathSegments() {
    Glob shop = Glob.compile("registry.acme.example/shop/**");
    assertTrue(shop.matches("registry.acme.example/shop/web"));
    assertTrue(shop.matches("registry.acme.example/shop/team/web"));
    assertFalse(shop.matches("registry.acme.example/shopping/web"));
    assertFalse(shop.matches("registry.acme.example/other/web"));
    assertFalse(shop.matches("evil.example/registry.acme.example/shop/web"));
    assertFalse(shop.matches("registry.acme.example.evil/shop/web"));
  }

  @Test
  void singleStarStaysInOneSegment() {
    Glob oneLevel = Glob.compile("registry.acme.example/shop/*");
    assertTrue(oneLevel.matches("registry.acme.example/shop/web"));
    assertFalse(oneLevel.matches("registry.acme.example/shop/team/web"));
    Glob middle = Glob.compile("registry.acme.example/**/web");
    assertTrue(middle.matches("registry.acme.example/web"));
    assertTrue(middle.matches("registry.acme.example/a/b/web"));
    assertFalse(middle.matches("registry.acme.example/a/b/web2"));
  }

  @Test
  void namespaceGlobs() {
    Glob prod = Glob.compile("*-prod");
    assertTrue(prod.matches("shop-prod"));
    assertTrue(prod.matches("-prod"));
    assertFalse(prod.matches("shop-prod-2"));
    assertFalse(prod.matches("shop-preprod-x"));
    assertTrue(Glob.compile("team-?").matches("team-a"));
    assertFalse(Glob.compile("team-?").matches("team-ab"));
    assertTrue(Glob.compile("kube-system").isLiteral());
  }

  @Test
  void dotsAndOtherRegexCharactersAreLiteral() {
    Glob g = Glob.compile("127.0.0.1:5000/shop/**");
    assertTrue(g.matches("127.0.0.1:5000/shop/web"));
    assertFalse(g.matches("127a0b0c1:5000/shop/web"));
    assertTrue(Glob.compile("a+b/c").matches("a+b/c"));
  }

  @Test
  void refusesUnsupportedSyntax() {
    assertThrows(IllegalArgumentException.class, () -> Glob.compile(""));
    assertThrows(IllegalArgumentException.class, () -> Glob.compile("a/***"));
    assertThrows(IllegalArgumentException.class, () -> Glob.compile("a/[bc]"));
    assertThrows(IllegalArgumentException.class, () -> Glob.compile("a/{b,c}"));
    assertThrows(IllegalArgumentException.class, () -> Glob.compile("a b"));
  }
}
