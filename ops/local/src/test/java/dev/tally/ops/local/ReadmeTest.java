package dev.tally.ops.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's claims hold for the files they describe, so the two cannot drift apart: its settings
 * are read by some code, its links lead somewhere, its commands name scripts and classes that exist,
 * and the walk-through's length is the program's. What the walk-through prints is checked against a
 * real node by {@link FirstReserveCommitTest}.
 */
class ReadmeTest {

  private static final Pattern VARIABLE = Pattern.compile("`(TALLY_[A-Z0-9_]+|_[A-Z0-9_]+)`");

  private final Readme readme = Readme.load();

  @Test
  void everySettingInTheTableIsReadByTheNodeOrItsTools() {
    String sources = sourcesThatReadSettings();
    String section = readme.text().substring(readme.text().indexOf("## Settings that matter"));
    section = section.substring(0, section.indexOf("\n## ", 1));
    List<String> unknown = new ArrayList<>();
    int variables = 0;
    for (String row : section.lines().filter(line -> line.startsWith("| `TALLY_")).toList()) {
      String firstColumn = row.substring(1, row.indexOf(" |", 1));
      Matcher names = VARIABLE.matcher(firstColumn);
      String full = null;
      while (names.find()) {
        variables++;
        String name = names.group(1);
        if (full == null || name.startsWith("TALLY_")) {
          full = name;
          if (!sources.contains(name)) unknown.add(name);
        } else if (!shorthandIsRead(full, name, sources)) {
          unknown.add(full + " / " + name);
        }
      }
    }
    assertTrue(variables > 30, "found only " + variables + " settings in the README's table");
    assertEquals(List.of(), unknown, "settings in the README that no config file, class or script reads");
  }

  @Test
  void theWalkThroughIsAsLongAsTheReadmeSays() {
    Matcher claim = Pattern.compile("\\((\\d+) lines\\)]\\((ops/local/src/main/java/[^)]+\\.java)\\)").matcher(readme.text());
    assertTrue(claim.find(), "the README gives the walk-through's length as \"(N lines)\" with its link");
    long lines = readme.read(claim.group(2)).lines().count();
    assertEquals(lines, Long.parseLong(claim.group(1)), claim.group(2) + " has " + lines + " lines");
  }

  @Test
  void theShellCommandsNameScriptsClassesAndClasspathsThatExist() {
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (Readme.CodeBlock block : readme.codeBlocks()) {
      if (!block.language().equals("sh")) continue;
      Matcher script = Pattern.compile("(?<![\\w/])\\.?/?((?:ops/)?[\\w./-]*\\w\\.sh|mvnw)\\b").matcher(block.body());
      while (script.find()) {
        checked++;
        Path file = readme.root().resolve(script.group(1));
        if (!Files.isExecutable(file)) missing.add("script " + script.group(1));
      }
      Matcher mainClass = Pattern.compile("\\bdev\\.tally(\\.\\w+)+").matcher(block.body());
      while (mainClass.find()) {
        checked++;
        String source = mainClass.group().replace('.', '/') + ".java";
        if (!existsUnderSomeModule(source)) missing.add("class " + mainClass.group());
      }
      Matcher classpath = Pattern.compile("([\\w/-]+)/target/runtime\\.classpath").matcher(block.body());
      while (classpath.find()) {
        checked++;
        String pom = readme.read(classpath.group(1) + "/pom.xml");
        if (!pom.contains("runtime.classpath</outputFile>")) missing.add("classpath file of " + classpath.group(1));
      }
    }
    assertTrue(checked >= 10, "found only " + checked + " scripts, classes and classpaths in the README's commands");
    assertEquals(List.of(), missing, "named in the README's commands but not in the repository");
  }

  @Test
  void everyRelativeLinkLeadsToAFileOrFolder() {
    Matcher link = Pattern.compile("]\\(([^)#:\\s]+)(#[^)]*)?\\)").matcher(readme.text());
    List<String> broken = new ArrayList<>();
    int links = 0;
    while (link.find()) {
      links++;
      if (!Files.exists(readme.root().resolve(link.group(1)))) broken.add(link.group(1));
    }
    assertTrue(links >= 10, "found only " + links + " relative links");
    assertEquals(List.of(), broken);
  }

  @Test
  void theDesignLivesInTheRepository() {
    assertFalse(readme.text().contains("../shared/"), "the README points outside the repository");
    assertTrue(readme.read("docs/DESIGN.md").startsWith("# Tally"));
    assertTrue(readme.read("docs/STYLE.md").startsWith("# How Tally's code should read"));
  }

  /** {@code TALLY_CASSANDRA_USERNAME / _PASSWORD}: the shorthand replaces one or more trailing words of the full name. */
  private static boolean shorthandIsRead(String full, String shorthand, String sources) {
    for (int cut = full.indexOf('_', "TALLY_".length() - 1); cut > 0; cut = full.indexOf('_', cut + 1)) {
      if (sources.contains(full.substring(0, cut) + shorthand)) return true;
    }
    return false;
  }

  private boolean existsUnderSomeModule(String source) {
    try (Stream<Path> files = Files.walk(readme.root(), 12)) {
      return files.anyMatch(path -> path.toString().endsWith("/src/main/java/" + source));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Config files, classes and scripts: where a setting can be read. Documentation does not count. */
  private String sourcesThatReadSettings() {
    try (Stream<Path> files = Files.walk(readme.root())) {
      return files
          .filter(path -> !path.toString().contains("/target/") && !path.toString().contains("/.git/"))
          .filter(path -> path.toString().contains("/src/main/") || path.toString().endsWith(".sh"))
          .filter(path -> path.toString().matches(".*\\.(java|conf|xml|sh)$") && Files.isRegularFile(path))
          .map(path -> readme.read(readme.root().relativize(path).toString()))
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
