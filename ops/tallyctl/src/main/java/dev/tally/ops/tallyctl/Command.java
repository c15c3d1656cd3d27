package dev.tally.ops.tallyctl;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** One thing tallyctl does: its name ({@code "org create"}), what it takes, and what runs it. */
record Command(String name, List<String> operands, List<Option> options, String summary, Action action) {

  /** An option of a command; {@code value} is null for flags. */
  record Option(String name, String value, boolean required, String description) {

    static Option optional(String name, String value, String description) {
      return new Option(name, value, false, description);
    }

    static Option required(String name, String value, String description) {
      return new Option(name, value, true, description);
    }

    String synopsis() {
      String text = "--" + name + (value == null ? "" : " " + value);
      return required ? text : "[" + text + "]";
    }
  }

  interface Action {
    void run(Invocation invocation);
  }

  List<String> words() {
    return List.of(name.split(" "));
  }

  String synopsis() {
    String text = "tallyctl " + name + (operands.isEmpty() ? "" : " " + String.join(" ", operands));
    String options = this.options.stream().map(Option::synopsis).collect(Collectors.joining(" "));
    return options.isEmpty() ? text : text + " " + options;
  }

  /** The operands after the command's name, once the options are known to be its own. */
  List<String> check(Arguments arguments, Set<String> globalOptions) {
    for (String option : arguments.options.keySet()) {
      if (!globalOptions.contains(option) && options.stream().noneMatch(o -> o.name().equals(option))) {
        throw Failure.usage("unknown option --" + option + " for " + name + "; usage: " + synopsis());
      }
    }
    List<String> given = arguments.words.subList(words().size(), arguments.words.size());
    if (given.size() != operands.size()) {
      String problem = given.size() < operands.size() ? "missing " + String.join(" ", operands.subList(given.size(), operands.size()))
          : "unexpected " + String.join(" ", given.subList(operands.size(), given.size()));
      throw Failure.usage(name + ": " + problem + "; usage: " + synopsis());
    }
    for (Option option : options) {
      if (option.required() && arguments.option(option.name()).isEmpty()) {
        throw Failure.usage(name + " needs --" + option.name() + "; usage: " + synopsis());
      }
    }
    return given;
  }
}
