package dev.tally.ops.console;

import java.util.List;

/**
 * The outcome of an action, shown once on the page the action returns to, next to the form it came
 * from ({@code form}). {@code shownOnce} holds what the node shows only once (a new API key, new
 * redemption codes): kept in the session until that page is rendered, never in a URL or a log.
 */
record Notice(String form, boolean failed, String message, List<String> shownOnce) {

  static Notice done(String form, String message) {
    return new Notice(form, false, message, List.of());
  }

  static Notice failed(String form, String message) {
    return new Notice(form, true, message, List.of());
  }

  static Notice secret(String form, String message, List<String> shownOnce) {
    return new Notice(form, false, message, List.copyOf(shownOnce));
  }
}
