package dev.tally.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.node.account.GrantKind;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.Period;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each webhook event's body matches its schema in docs/webhooks; ids are stable and point back to the journal. */
class WebhookEventsTest {

  static final Path SCHEMAS = Path.of("..", "docs", "webhooks");
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant AT = Instant.parse("2026-12-03T06:00:00Z");

  static List<WebhookEvent> made(OrgEvent event) {
    return WebhookEvents.of("org-1.a_b", 42, event);
  }

  static WebhookEvent only(OrgEvent event) {
    List<WebhookEvent> events = made(event);
    assertEquals(1, events.size(), events.toString());
    return events.get(0);
  }

  static List<OrgEvent> everyKindOfSentEvent() {
    Instant periodStart = Instant.parse("2026-12-01T00:00:00Z");
    return List.of(
        new OrgEvent.AlertRaised(OrgEvent.AlertKind.USAGE_THRESHOLD, 80, periodStart, 800_000, 200_000, AT),
        new OrgEvent.AlertRaised(OrgEvent.AlertKind.LOW_BALANCE, 0, periodStart, 990_000, 10_000, AT),
        new OrgEvent.CreditsGranted("r1", "f1", "g1", GrantKind.REDEMPTION, 5_000_000, 0, AT, null, AT),
        new OrgEvent.CreditsGranted("r2", "f2", "g2", GrantKind.REFERRAL, 1, 3, AT, AT.plusSeconds(86_400), AT),
        new OrgEvent.GrantExpired("g1", 4_000, AT),
        new OrgEvent.PeriodClosed(Period.monthOf(periodStart, 1_000_000), AT),
        new OrgEvent.AlertRaised(OrgEvent.AlertKind.DEPLETED, 0, periodStart, 1_200_000, -200_000, AT),
        new OrgEvent.AlertRaised(OrgEvent.AlertKind.RESUMED, 0, periodStart, 1_200_000, 4_800_000, AT),
        new OrgEvent.AlertRaised(OrgEvent.AlertKind.WEBHOOK_ENDPOINT_DISABLED, 0, periodStart, 0, 0, AT,
            "we_0123456789abcdef01234567"),
        new OrgEvent.GrantExpiringSoon("g2", 3_000, AT.plusSeconds(7 * 86_400), AT),
        new OrgEvent.CreditRequestDecided("r1", "f1", 7, true, 2_000_000, "credit-request:7", AT),
        new OrgEvent.CreditRequestDecided("r2", "f2", 8, false, 1_000_000, null, AT),
        new OrgEvent.ApiKeyCreated("r1", "f1", "key_89abcdef0123456789abcdef", "metering", "ci", "key_0123456789abcdef01234567", AT),
        new OrgEvent.ApiKeyCreated("r2", "f2", "key_0123456789abcdef01234567", "reader", null, null, AT),
        new OrgEvent.ApiKeyRevoked("r1", "f1", "key_0123456789abcdef01234567", "metering", "ci", AT.plusSeconds(86_400), AT));
  }

  @Test
  void everyBodyMatchesTheSchemaOfItsType() throws Exception {
    for (OrgEvent event : everyKindOfSentEvent()) {
      WebhookEvent made = only(event);
      JsonNode schema = JSON.readTree(Files.readString(SCHEMAS.resolve(made.type().name().toLowerCase() + ".schema.json")));
      List<String> errors = new ArrayList<>();
      check(schema, JSON.readTree(made.json()), "$", errors);
      assertEquals(List.of(), errors, made.json());
    }
  }

  @Test
  void aBodyMissingAFieldOrOfTheWrongTypeFailsItsSchema() throws Exception {
    WebhookEvent made = only(everyKindOfSentEvent().get(2));
    JsonNode schema = JSON.readTree(Files.readString(SCHEMAS.resolve("credits_granted.schema.json")));
    String json = made.json();
    List<String> errors = new ArrayList<>();
    check(schema, JSON.readTree(json.replace("\"amount\":5000000", "\"amount\":\"5000000\"")), "$", errors);
    check(schema, JSON.readTree(json.replace("\"grant_id\":\"g1\",", "")), "$", errors);
    assertEquals(List.of("$.data.amount: is string, not [\"integer\"]", "$.data: lacks grant_id"), errors);
  }

  @Test
  void anIdIsMadeOfTheOrgAndTheJournalSequenceNumberAndLeadsBackToThem() {
    WebhookEvent made = only(everyKindOfSentEvent().get(0));
    assertEquals("evt_42_0_org-1.a_b", made.eventId());
    assertEquals(Optional.of(new WebhookEvent.Source("org-1.a_b", 42, 0)), WebhookEvent.source(made.eventId()));
    assertEquals(made.eventId(), only(everyKindOfSentEvent().get(0)).eventId(), "made again, the same id");
    assertEquals(Optional.empty(), WebhookEvent.source("evt_0_0_org"));
    assertEquals(Optional.empty(), WebhookEvent.source("evt_1_0_org|x"));
    assertEquals(Optional.empty(), WebhookEvent.source("msg_1_0_org"));
  }

  @Test
  void aDepletionAndAResumptionAreSentAsTheirOwnTypes() {
    List<OrgEvent> events = everyKindOfSentEvent();
    WebhookEvent depleted = only(events.get(6));
    WebhookEvent resumed = only(events.get(7));
    assertEquals(EventType.ACCOUNT_DEPLETED, depleted.type());
    assertEquals(-200_000L, depleted.data().get("available"));
    assertEquals(EventType.ACCOUNT_RESUMED, resumed.type());
    assertEquals(Map.of("available", 4_800_000L), resumed.data());
  }

  @Test
  void aDisabledEndpointIsSentAsTheIdOfTheEndpointAlone() {
    WebhookEvent disabled = only(everyKindOfSentEvent().get(8));
    assertEquals(EventType.WEBHOOK_ENDPOINT_DISABLED, disabled.type());
    assertEquals(Map.of("endpoint_id", "we_0123456789abcdef01234567"), disabled.data());
  }

  @Test
  void aGrantExpiringSoonIsSentWithWhatIsLeftOfItAndWhen() {
    WebhookEvent soon = only(everyKindOfSentEvent().get(9));
    assertEquals(EventType.GRANT_EXPIRING_SOON, soon.type());
    assertEquals(3_000L, soon.data().get("remaining"));
    assertEquals("2026-12-10T06:00:00Z", soon.data().get("expires_at"));
  }

  @Test
  void aDecidedCreditRequestIsSentWithItsDecisionAndAnApprovalWithItsGrant() {
    WebhookEvent approved = only(everyKindOfSentEvent().get(10));
    assertEquals(EventType.CREDIT_REQUEST_DECIDED, approved.type());
    assertEquals(List.of("credit_request_number", "decision", "amount", "grant_id"), List.copyOf(approved.data().keySet()));
    assertEquals("APPROVED", approved.data().get("decision"));
    assertEquals("credit-request:7", approved.data().get("grant_id"));
    WebhookEvent denied = only(everyKindOfSentEvent().get(11));
    assertEquals("DENIED", denied.data().get("decision"));
    assertTrue(denied.json().contains("\"grant_id\":null"), denied.json());
  }

  @Test
  void aKeyIsSentByItsIdRoleAndLabelOnly() {
    WebhookEvent rotated = only(everyKindOfSentEvent().get(12));
    assertEquals(EventType.API_KEY_CREATED, rotated.type());
    assertEquals(Map.of("key_id", "key_89abcdef0123456789abcdef", "role", "metering", "label", "ci",
        "rotated_from", "key_0123456789abcdef01234567"), rotated.data());
    assertEquals("", only(everyKindOfSentEvent().get(13)).data().get("label"), "no label: empty");
    WebhookEvent revoked = only(everyKindOfSentEvent().get(14));
    assertEquals(EventType.API_KEY_REVOKED, revoked.type());
    assertEquals(AT.plusSeconds(86_400).toString(), revoked.data().get("revoked_at"));
  }

  @Test
  void chargesAndReservationsAreSentNothing() {
    assertEquals(List.of(), made(new OrgEvent.GrantVoided("r", "f", "g1", 10, "mistake", AT)));
    assertEquals(List.of(), made(new OrgEvent.OrgCreated("r", "org-1", "Org", "payg", AT)));
  }

  @Test
  void noBodyCarriesARequestIdOrFingerprint() {
    for (OrgEvent event : everyKindOfSentEvent()) {
      String json = only(event).json();
      assertFalse(json.contains("\"r1\"") || json.contains("\"f1\"") || json.contains("\"r2\"") || json.contains("\"f2\""), json);
    }
  }

  /** The subset of JSON Schema the schemas use: type, const, enum, required, properties, additionalProperties, pattern, format date-time, minimum. */
  static void check(JsonNode schema, JsonNode value, String at, List<String> errors) {
    if (schema.has("type")) {
      List<String> types = new ArrayList<>();
      if (schema.get("type").isArray()) schema.get("type").forEach(t -> types.add(t.asText()));
      else types.add(schema.get("type").asText());
      String actual = typeOf(value);
      if (!types.contains(actual) && !(actual.equals("integer") && types.contains("number"))) {
        errors.add(at + ": is " + actual + ", not " + types.stream().map(t -> "\"" + t + "\"").toList());
        return;
      }
    }
    if (schema.has("const") && !schema.get("const").equals(value)) errors.add(at + ": is not " + schema.get("const"));
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode option : schema.get("enum")) found |= option.equals(value);
      if (!found) errors.add(at + ": " + value + " is none of " + schema.get("enum"));
    }
    if (value.isTextual() && schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
      errors.add(at + ": does not match " + schema.get("pattern").asText());
    }
    if (value.isTextual() && "date-time".equals(schema.path("format").asText())) {
      try {
        DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value.asText());
      } catch (RuntimeException e) {
        errors.add(at + ": is not a date-time");
      }
    }
    if (value.isNumber() && schema.has("minimum") && value.asLong() < schema.get("minimum").asLong()) {
      errors.add(at + ": is below " + schema.get("minimum"));
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) errors.add(at + ": lacks " + required.asText());
      }
      JsonNode properties = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (properties.has(field.getKey())) {
          check(properties.get(field.getKey()), field.getValue(), at + "." + field.getKey(), errors);
        } else if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
          errors.add(at + ": has " + field.getKey() + ", which its schema does not");
        }
      }
    }
  }

  static String typeOf(JsonNode value) {
    if (value.isNull()) return "null";
    if (value.isIntegralNumber()) return "integer";
    if (value.isNumber()) return "number";
    if (value.isTextual()) return "string";
    if (value.isBoolean()) return "boolean";
    if (value.isArray()) return "array";
    return "object";
  }

  @Test
  void theSchemasCoverEveryTypeThatIsSent() throws Exception {
    for (OrgEvent event : everyKindOfSentEvent()) {
      assertTrue(Files.exists(SCHEMAS.resolve(only(event).type().name().toLowerCase() + ".schema.json")));
    }
  }
}
