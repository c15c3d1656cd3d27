package dev.tally.ops.tallyctl;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Rows of text in columns as wide as their widest cell, two spaces apart; amounts aligned right. */
final class Table {

  private final List<String> headers;
  private final Set<Integer> alignedRight = new HashSet<>();
  private final List<List<String>> rows = new ArrayList<>();

  /** A table under these headers; none for label/value lines. */
  Table(String... headers) {
    this.headers = List.of(headers);
  }

  /** Aligns these columns (from 0) to the right: amounts and counts. */
  Table alignRight(int... columns) {
    for (int column : columns) alignedRight.add(column);
    return this;
  }

  Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object cell : cells) row.add(Output.printable(String.valueOf(cell)));
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintStream out) {
    List<List<String>> lines = new ArrayList<>();
    if (!headers.isEmpty()) lines.add(headers);
    lines.addAll(rows);
    int columns = lines.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[columns];
    for (List<String> line : lines) {
      for (int c = 0; c < line.size(); c++) widths[c] = Math.max(widths[c], line.get(c).length());
    }
    for (List<String> line : lines) {
      StringBuilder text = new StringBuilder();
      for (int c = 0; c < line.size(); c++) {
        if (c > 0) text.append("  ");
        String cell = line.get(c);
        String padding = " ".repeat(widths[c] - cell.length());
        text.append(alignedRight.contains(c) ? padding + cell : cell + padding);
      }
      out.println(text.toString().stripTrailing());
    }
  }
}
