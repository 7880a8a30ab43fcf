package dev.promgate.policy;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** The problems found in one file, positioned by SnakeYAML marks (0-based) turned 1-based. */
final class FileProblems {
  private final String file;
  private final List<PolicyProblem> problems = new ArrayList<>();

  FileProblems(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  void at(Node node, String message) {
    at(node.getStartMark(), message);
  }

  void at(Mark mark, String message) {
    if (mark == null) {
      atStart(message);
    } else {
      at(mark.getLine() + 1, mark.getColumn() + 1, message);
    }
  }

  void at(int line, int column, String message) {
    problems.add(new PolicyProblem(file, line, column, message));
  }

  /** A problem with the file as a whole. */
  void atStart(String message) {
    at(1, 1, message);
  }

  int count() {
    return problems.size();
  }

  List<PolicyProblem> sorted() {
    List<PolicyProblem> sorted = new ArrayList<>(problems);
    sorted.sort(PolicyProblem.BY_POSITION);
    return sorted;
  }

  /** {@code file:line:column} of a node, for messages that point at a second place. */
  String where(Node node) {
    Mark m = node.getStartMark();
    return file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
  }
}
