package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tally.client.WebhookVerificationException.Failure;
import dev.tally.v1.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Webhooks#verify} per the Standard Webhooks specification. */
class WebhooksTest {

  // The specification's published example (standardwebhooks.com, Svix's "verifying manually").
  static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long SPEC_TIMESTAMP = 1614265330;
  static final String SPEC_BODY = "{\"test\": 2432232314}";
  static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  static final Instant NOW = Instant.parse("2026-12-03T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final byte[] BODY = "{\"type\":\"credits.granted\",\"data\":{\"amount\":5000000}}".getBytes(StandardCharsets.UTF_8);

  static String newSecret() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return WebhookSignature.secret(key);
  }

  static Map<String, String> headers(String id, long timestamp, String signature) {
    Map<String, String> headers = new HashMap<>();
    headers.put("webhook-id", id);
    headers.put("webhook-timestamp", Long.toString(timestamp));
    headers.put("webhook-signature", signature);
    return headers;
  }

  static void verify(String secret, Map<String, String> headers, byte[] body) {
    Webhooks.verify(secret, headers, body, Webhooks.DEFAULT_TOLERANCE, CLOCK);
  }

  static Failure failureOf(String secret, Map<String, String> headers, byte[] body) {
    return assertThrows(WebhookVerificationException.class, () -> verify(secret, headers, body)).failure();
  }

  @Test
  void theSpecificationsExampleSignsAndVerifiesAsPublished() {
    byte[] body = SPEC_BODY.getBytes(StandardCharsets.UTF_8);
    assertEquals(SPEC_SIGNATURE, Webhooks.sign(SPEC_SECRET, SPEC_ID, Instant.ofEpochSecond(SPEC_TIMESTAMP), body));
    Clock then = Clock.fixed(Instant.ofEpochSecond(SPEC_TIMESTAMP + 10), ZoneOffset.UTC);
    assertDoesNotThrow(() -> Webhooks.verify(SPEC_SECRET, headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), body,
        Webhooks.DEFAULT_TOLERANCE, then));
  }

  @Test
  void aRequestSignedWithTheSecretPasses() {
    String secret = newSecret();
    String signature = Webhooks.sign(secret, "evt_1", NOW, BODY);
    assertDoesNotThrow(() -> verify(secret, headers("evt_1", NOW.getEpochSecond(), signature), BODY));
  }

  @Test
  void headerNamesAreMatchedIgnoringCase() {
    String secret = newSecret();
    Map<String, String> headers = Map.of("Webhook-Id", "evt_1", "WEBHOOK-TIMESTAMP", Long.toString(NOW.getEpochSecond()),
        "Webhook-Signature", Webhooks.sign(secret, "evt_1", NOW, BODY));
    assertDoesNotThrow(() -> verify(secret, headers, BODY));
  }

  @Test
  void aTamperedBodyFails() {
    String secret = newSecret();
    Map<String, String> headers = headers("evt_1", NOW.getEpochSecond(), Webhooks.sign(secret, "evt_1", NOW, BODY));
    byte[] tampered = BODY.clone();
    tampered[tampered.length - 3] = '9';
    assertEquals(Failure.NO_MATCHING_SIGNATURE, failureOf(secret, headers, tampered));
  }

  @Test
  void anotherIdOrTimestampThanTheSignedOneFails() {
    String secret = newSecret();
    String signature = Webhooks.sign(secret, "evt_1", NOW, BODY);
    assertEquals(Failure.NO_MATCHING_SIGNATURE, failureOf(secret, headers("evt_2", NOW.getEpochSecond(), signature), BODY));
    assertEquals(Failure.NO_MATCHING_SIGNATURE, failureOf(secret, headers("evt_1", NOW.getEpochSecond() - 1, signature), BODY));
  }

  @Test
  void anotherSecretFails() {
    String signature = Webhooks.sign(newSecret(), "evt_1", NOW, BODY);
    assertEquals(Failure.NO_MATCHING_SIGNATURE, failureOf(newSecret(), headers("evt_1", NOW.getEpochSecond(), signature), BODY));
  }

  @Test
  void aTimestampOutsideTheToleranceFailsEvenWhenCorrectlySigned() {
    String secret = newSecret();
    Instant old = NOW.minus(Duration.ofMinutes(5)).minusSeconds(1);
    Instant future = NOW.plus(Duration.ofMinutes(5)).plusSeconds(1);
    assertEquals(Failure.TIMESTAMP_OUT_OF_TOLERANCE,
        failureOf(secret, headers("evt_1", old.getEpochSecond(), Webhooks.sign(secret, "evt_1", old, BODY)), BODY));
    assertEquals(Failure.TIMESTAMP_OUT_OF_TOLERANCE,
        failureOf(secret, headers("evt_1", future.getEpochSecond(), Webhooks.sign(secret, "evt_1", future, BODY)), BODY));
    assertEquals(Failure.TIMESTAMP_OUT_OF_TOLERANCE,
        failureOf(secret, headers("evt_1", Long.MIN_VALUE, "v1,AAAA"), BODY));
  }

  @Test
  void theToleranceCanBeWidenedAndItsEdgeIsInside() {
    String secret = newSecret();
    Instant edge = NOW.minus(Duration.ofMinutes(5));
    assertDoesNotThrow(() -> verify(secret, headers("evt_1", edge.getEpochSecond(), Webhooks.sign(secret, "evt_1", edge, BODY)), BODY));
    Instant hourAgo = NOW.minus(Duration.ofHours(1));
    Map<String, String> late = headers("evt_1", hourAgo.getEpochSecond(), Webhooks.sign(secret, "evt_1", hourAgo, BODY));
    assertDoesNotThrow(() -> Webhooks.verify(secret, late, BODY, Duration.ofHours(2), CLOCK));
  }

  @Test
  void duringARotationASecondSignatureThatMatchesIsEnough() {
    String oldSecret = newSecret();
    String newSecret = newSecret();
    String both = Webhooks.sign(oldSecret, "evt_1", NOW, BODY) + " " + Webhooks.sign(newSecret, "evt_1", NOW, BODY);
    assertDoesNotThrow(() -> verify(newSecret, headers("evt_1", NOW.getEpochSecond(), both), BODY));
    assertDoesNotThrow(() -> verify(oldSecret, headers("evt_1", NOW.getEpochSecond(), both), BODY));
    assertEquals(Failure.NO_MATCHING_SIGNATURE, failureOf(newSecret(), headers("evt_1", NOW.getEpochSecond(), both), BODY));
  }

  @Test
  void signaturesOfOtherVersionsAreSkipped() {
    String secret = newSecret();
    String signatures = "v1a,bm90IG91cnM= " + Webhooks.sign(secret, "evt_1", NOW, BODY);
    assertDoesNotThrow(() -> verify(secret, headers("evt_1", NOW.getEpochSecond(), signatures), BODY));
  }

  @Test
  void missingOrMalformedHeadersFailWithTheirOwnReason() {
    String secret = newSecret();
    String signature = Webhooks.sign(secret, "evt_1", NOW, BODY);
    Map<String, String> noId = headers("evt_1", NOW.getEpochSecond(), signature);
    noId.remove("webhook-id");
    assertEquals(Failure.MISSING_HEADER, failureOf(secret, noId, BODY));
    Map<String, String> noSignature = headers("evt_1", NOW.getEpochSecond(), "");
    assertEquals(Failure.MISSING_HEADER, failureOf(secret, noSignature, BODY));
    Map<String, String> wordTimestamp = headers("evt_1", 0, signature);
    wordTimestamp.put("webhook-timestamp", "yesterday");
    WebhookVerificationException notANumber =
        assertThrows(WebhookVerificationException.class, () -> verify(secret, wordTimestamp, BODY));
    assertEquals(Failure.MALFORMED_HEADER, notANumber.failure());
    assertEquals("webhook-timestamp must be whole seconds since the epoch", notANumber.getMessage());
    assertEquals(Failure.MALFORMED_HEADER, failureOf(secret, headers("evt_1", NOW.getEpochSecond(), "nocomma"), BODY));
    assertEquals(Failure.MALFORMED_HEADER, failureOf(secret, headers("evt_1", NOW.getEpochSecond(), "v1,***"), BODY));
  }

  @Test
  void aSecretThatIsNotWhsecBase64IsRefusedBeforeAnyHeaderIsRead() {
    Map<String, String> none = Map.of();
    assertEquals(Failure.MALFORMED_SECRET, failureOf("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", none, BODY));
    assertEquals(Failure.MALFORMED_SECRET, failureOf("whsec_not base64!", none, BODY));
    assertEquals(Failure.MALFORMED_SECRET, failureOf("whsec_c2hvcnQ=", none, BODY));
  }
}
