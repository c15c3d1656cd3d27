package dev.tally.ops.console;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Request ids for the forms: each form is rendered with a fresh one in a hidden field, so sending
 * the same form twice (a double click, a reload after a lost answer) is applied once by the node.
 */
final class Ids {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  static String fresh() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "console-" + HexFormat.of().formatHex(bytes);
  }

  /** The form's request id when it is one the API takes; a fresh one otherwise. */
  static String posted(String value) {
    return SignIn.ORG_ID.matcher(value).matches() ? value : fresh();
  }
}
