package dev.tally.node.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads grants stored before draw order became "trial, soonest expiry, oldest" (issue 17). Until
 * then each kind had a default priority, and a grant given without one recorded its kind's number.
 * A stored priority equal to its kind's former default is read as {@link Grants#DEFAULT_PRIORITY},
 * so after the change a replay draws the undrawn credits of old grants in the new order; any other
 * number was an operator's override and is kept. An override that happened to equal its kind's
 * default cannot be told apart and is read as no override. Draws already made are not redone: every
 * charge event lists the grants it drew from, and replay applies those.
 */
public final class KindPriorityMigration {

  /** The kinds' default priorities of version 1 of the grant events and snapshots. */
  static final Map<String, Integer> FORMER_DEFAULTS = Map.of(
      "TRIAL", 0, "PROMOTION", 10, "REFERRAL", 10, "SUBSCRIPTION", 20, "REDEMPTION", 30, "PURCHASE", 40,
      "ADJUSTMENT", 50);

  private KindPriorityMigration() {}

  /** One stored grant (an event or a snapshot's grant) with a former kind default read as the default. */
  static void readFormerDefault(JsonNode grant) {
    if (!(grant instanceof ObjectNode fields) || !fields.has("priority") || !fields.has("kind")) return;
    Integer former = FORMER_DEFAULTS.get(fields.get("kind").asText());
    if (former != null && fields.get("priority").asInt() == former) fields.put("priority", Grants.DEFAULT_PRIORITY);
  }

  /** For {@link OrgEvent.CreditsGranted}: version 2 records no kind default. */
  public static final class OfCreditsGranted extends JacksonMigration {
    @Override
    public int currentVersion() {
      return 2;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      if (fromVersion < 2) readFormerDefault(json);
      return json;
    }
  }

  /** For {@link AccountSnapshot}: version 2's grants record no kind default. */
  public static final class OfSnapshot extends JacksonMigration {
    @Override
    public int currentVersion() {
      return 2;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      if (fromVersion < 2 && json.has("grants")) json.get("grants").forEach(KindPriorityMigration::readFormerDefault);
      return json;
    }
  }
}
