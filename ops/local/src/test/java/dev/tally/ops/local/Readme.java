package dev.tally.ops.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The repository's README.md as the tests read it: its text and its fenced code blocks. */
record Readme(Path root, String text) {

  /** A fenced code block: its language tag (empty for none), its body, and the README's text before it. */
  record CodeBlock(String language, String body, String before) {}

  static Readme load() {
    // Surefire runs in ops/local; the repository root is two folders up.
    Path root = Path.of("").toAbsolutePath().getParent().getParent();
    try {
      return new Readme(root, Files.readString(root.resolve("README.md")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<CodeBlock> codeBlocks() {
    List<CodeBlock> blocks = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    StringBuilder before = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("```")) {
        before.append(lines[i]).append('\n');
        continue;
      }
      String language = lines[i].substring(3).trim();
      StringBuilder body = new StringBuilder();
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) body.append(lines[i]).append('\n');
      blocks.add(new CodeBlock(language, body.toString(), before.toString()));
      before.append("(code block)\n");
    }
    return blocks;
  }

  /** The first code block after the line that contains {@code marker}. */
  CodeBlock blockAfter(String marker) {
    return codeBlocks().stream()
        .filter(block -> block.before().contains(marker))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no code block after \"" + marker + "\" in README.md"));
  }

  String read(String relativePath) {
    try {
      return Files.readString(root.resolve(relativePath));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
