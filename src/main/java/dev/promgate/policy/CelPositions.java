package dev.promgate.policy;

import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Maps a position inside a CEL expression to its position in the YAML file, so a CEL error is
 * reported where the mistake is. This works when the YAML source holds the expression verbatim: a
 * plain or quoted scalar on one line without escapes, or a literal block ({@code |}). Folded and
 * multi-line flow scalars change the text on the way, so their errors stay at the value's start.
 */
final class CelPositions {

  private CelPositions() {}

  /**
   * @param source     the file as code points (SnakeYAML's marks index code points)
   * @param line       1-based line inside the expression
   * @param column     0-based column inside that line
   * @return {1-based line, 1-based column} in the file, or null when the source is not verbatim
   */
  static int[] locate(int[] source, ScalarNode node, int line, int column) {
    Mark start = node.getStartMark();
    Mark end = node.getEndMark();
    int[] value = node.getValue().codePoints().toArray();
    ScalarStyle style = node.getScalarStyle();
    if (style == ScalarStyle.PLAIN || style == ScalarStyle.SINGLE_QUOTED || style == ScalarStyle.DOUBLE_QUOTED) {
      if (line != 1 || start.getLine() != end.getLine()) {
        return null;
      }
      int offset = style == ScalarStyle.PLAIN ? 0 : 1;
      if (!regionEquals(source, start.getIndex() + offset, value, 0, value.length)) {
        return null; // escapes ('' or \") make the source differ from the expression
      }
      return new int[] {start.getLine() + 1, start.getColumn() + offset + column + 1};
    }
    if (style == ScalarStyle.LITERAL) {
      // The block's first content line follows the line of the '|' indicator, one for one.
      int fileLine = start.getLine() + line;
      int lineStart = lineStart(source, start.getIndex(), line);
      if (lineStart < 0) {
        return null;
      }
      int[] exprLine = nthLine(value, line);
      if (exprLine == null) {
        return null;
      }
      // The block's indentation is what the source line has in front of the expression's line.
      int indent = leadingSpaces(source, lineStart, source.length) - leadingSpaces(value, exprLine[0], exprLine[0] + exprLine[1]);
      if (indent < 0 || !regionEquals(source, lineStart + indent, value, exprLine[0], exprLine[1])) {
        return null;
      }
      return new int[] {fileLine + 1, indent + column + 1};
    }
    return null;
  }

  private static int leadingSpaces(int[] text, int from, int to) {
    int i = from;
    while (i < to && text[i] == ' ') {
      i++;
    }
    return i - from;
  }

  /** The index where the n-th line after the one holding {@code from} starts, or -1. */
  private static int lineStart(int[] source, int from, int n) {
    int i = from;
    for (int seen = 0; seen < n; seen++) {
      while (i < source.length && source[i] != '\n') {
        i++;
      }
      if (i >= source.length) {
        return -1;
      }
      i++;
    }
    return i;
  }

  /** {start, length} of the n-th (1-based) line of {@code text}, or null. */
  private static int[] nthLine(int[] text, int n) {
    int start = 0;
    for (int seen = 1; seen < n; seen++) {
      while (start < text.length && text[start] != '\n') {
        start++;
      }
      if (start >= text.length) {
        return null;
      }
      start++;
    }
    int endOfLine = start;
    while (endOfLine < text.length && text[endOfLine] != '\n') {
      endOfLine++;
    }
    return new int[] {start, endOfLine - start};
  }

  private static boolean regionEquals(int[] source, int from, int[] text, int textFrom, int length) {
    if (from < 0 || from + length > source.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (source[from + i] != text[textFrom + i]) {
        return false;
      }
    }
    return true;
  }
}
