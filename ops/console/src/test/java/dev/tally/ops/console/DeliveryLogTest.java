package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import dev.tally.v1.WebhookDeliveryAttempt;
import dev.tally.v1.WebhookDeliveryOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delivery log's words and numbers: attempts grouped by event, answers, latencies with separators, where an event stands. */
class DeliveryLogTest {

  private static WebhookDeliveryAttempt attempt(String eventId, int number, int status, String error, long millis,
      WebhookDeliveryOutcome outcome) {
    return WebhookDeliveryAttempt.newBuilder().setEventId(eventId).setAttempt(number).setStatusCode(status).setError(error)
        .setLatency(Duration.newBuilder().setSeconds(millis / 1_000).setNanos((int) (millis % 1_000) * 1_000_000))
        .setOutcome(outcome).build();
  }

  @Test
  void consecutiveAttemptsOfAnEventAreOneGroupInTheOrderGiven() {
    WebhookDeliveryAttempt b2 = attempt("evt_9_0_o", 2, 200, "", 12, WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_DELIVERED);
    WebhookDeliveryAttempt b1 = attempt("evt_9_0_o", 1, 500, "answered HTTP 500", 8,
        WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_RETRYING);
    WebhookDeliveryAttempt a1 = attempt("evt_7_0_o", 1, 0, "timeout", 15_000, WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_RETRYING);

    assertEquals(List.of(List.of(b2, b1), List.of(a1)), DeliveryLog.byEvent(List.of(b2, b1, a1)));
    assertEquals("delivered", DeliveryLog.state(b2));
    assertEquals("pending", DeliveryLog.state(a1));
  }

  @Test
  void anAnswerIsItsStatusOrTheFailureAndALatencyHasSeparators() {
    assertEquals("HTTP 500", DeliveryLog.answer(attempt("e", 1, 500, "answered HTTP 500", 8,
        WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_FAILED)));
    assertEquals("connection refused", DeliveryLog.answer(attempt("e", 1, 0, "connection refused", 1,
        WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_RETRYING)));
    assertEquals("15,000 ms", DeliveryLog.latency(attempt("e", 1, 0, "timeout", 15_000,
        WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_RETRYING)));
    WebhookDeliveryAttempt dropped = attempt("e", 0, 0, "endpoint disabled", 0, WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_DROPPED);
    assertEquals("—", DeliveryLog.latency(dropped), "never attempted, no latency");
    assertEquals("dropped, not sent", DeliveryLog.outcome(dropped));
    assertEquals("2026-12-03 13:34:05 UTC", DeliveryLog.attempted(dropped.toBuilder()
        .setAttemptedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_796_304_845L)).build()));
  }

  @Test
  void onlyEventIdsOfTheApisFormAreReplayed() {
    assertTrue(DeliveryLog.EVENT_ID.matcher("evt_12_0_acme-1").matches());
    assertFalse(DeliveryLog.EVENT_ID.matcher("evt_12_0_").matches());
    assertFalse(DeliveryLog.EVENT_ID.matcher("evt_x_0_acme").matches());
    assertFalse(DeliveryLog.EVENT_ID.matcher("evt_1_0_a<b>").matches());
  }
}
