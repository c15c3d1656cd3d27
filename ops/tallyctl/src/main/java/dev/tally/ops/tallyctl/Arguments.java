package dev.tally.ops.tallyctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command line split into words (the command and its operands) and options. Options may come
 * anywhere, as {@code --name value} or {@code --name=value}; {@code --} ends them.
 */
final class Arguments {

  final List<String> words;
  final Map<String, String> options;

  private Arguments(List<String> words, Map<String, String> options) {
    this.words = words;
    this.options = options;
  }

  /** {@code flags}: the options that take no value, such as {@code --json}. */
  static Arguments parse(String[] args, Set<String> flags) {
    List<String> words = new ArrayList<>();
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        words.addAll(List.of(args).subList(i + 1, args.length));
        break;
      }
      if (arg.equals("-h")) {
        options.put("help", "");
      } else if (arg.startsWith("--") && arg.length() > 2) {
        int equals = arg.indexOf('=');
        String name = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
        String value;
        if (flags.contains(name)) {
          if (equals >= 0) throw Failure.usage("--" + name + " takes no value");
          value = "";
        } else if (equals >= 0) {
          value = arg.substring(equals + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw Failure.usage("--" + name + " needs a value");
        }
        if (options.put(name, value) != null) throw Failure.usage("--" + name + " is given twice");
      } else {
        words.add(arg);
      }
    }
    return new Arguments(List.copyOf(words), options);
  }

  boolean flag(String name) {
    return options.containsKey(name);
  }

  Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }
}
