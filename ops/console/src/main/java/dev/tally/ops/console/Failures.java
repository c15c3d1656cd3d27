package dev.tally.ops.console;

import dev.tally.client.InvalidRequestException;
import dev.tally.client.OrgNotFoundException;
import dev.tally.client.PermissionDeniedException;
import dev.tally.client.TallyException;
import dev.tally.client.TallyUnavailableException;
import dev.tally.client.UnauthenticatedException;
import com.google.rpc.BadRequest;

/**
 * What a failed call means to the person at the page, in one place: the HTTP status of a page that
 * could not be shown, or the sentence next to a form whose action failed. The node's own words are
 * shown as text (escaped like any value); the key never appears in them (the node names keys by hint).
 */
final class Failures {

  /** A page that cannot be shown: its status, title and sentence. */
  record ErrorPage(int status, String title, String sentence) {}

  private Failures() {}

  static ErrorPage page(TallyException failure, ConsoleSettings settings) {
    if (failure instanceof PermissionDeniedException) {
      return new ErrorPage(403, "No permission", "Your API key may not see this page.");
    }
    if (failure instanceof UnauthenticatedException) {
      return new ErrorPage(401, "Signed out", "Your API key is no longer accepted (revoked or expired). Sign in again.");
    }
    if (failure instanceof OrgNotFoundException) {
      return new ErrorPage(404, "No such org", "No org has this id.");
    }
    if (failure.reason() == dev.tally.v1.ErrorReason.STATEMENT_NOT_FOUND) {
      return new ErrorPage(404, "No such statement", "The org has no billing period starting then (or it shows in a few seconds).");
    }
    if (failure instanceof TallyUnavailableException) {
      return unreachable(settings);
    }
    if (failure instanceof InvalidRequestException) {
      return new ErrorPage(400, "Bad request", forForm(failure));
    }
    return new ErrorPage(502, "Tally refused", "The Tally node answered: " + failure.status().getMessage());
  }

  static ErrorPage unreachable(ConsoleSettings settings) {
    return new ErrorPage(502, "Tally unreachable",
        "The console could not reach a Tally node at " + settings.nodesText() + ". Try again in a moment.");
  }

  /** The sentence next to a form whose action failed: the node's field messages for bad input. */
  static String forForm(TallyException failure) {
    if (failure instanceof InvalidRequestException invalid && !invalid.fieldViolations().isEmpty()) {
      StringBuilder text = new StringBuilder();
      for (BadRequest.FieldViolation violation : invalid.fieldViolations()) {
        if (text.length() > 0) text.append("; ");
        text.append(violation.getField()).append(": ").append(violation.getDescription());
      }
      return text.toString();
    }
    if (failure instanceof PermissionDeniedException) return "Your API key may not do this.";
    if (failure instanceof TallyUnavailableException) return "Tally did not answer in time: the action may or may not have happened. Sending the form again is safe.";
    String reason = failure.reason().name().replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
    return "Refused (" + reason + "): " + failure.status().getMessage();
  }
}
