package dev.tally.node.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Map;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads grants stored before draw order became "trial, soonest expiry, oldest" (issue 17). Until
 * then each kind had a default priority, and a grant given without one recorded its kind's number.
 * A stored priority equal to its kind's former default is read as {@link Grants#DEFAULT_PRIORITY},
 * so after the change a replay draws the undrawn credits of old grants in the new order; any other
 * number was an operator's override. One above every former default meant "after all the others":
 * it is read above {@link Grants#DEFAULT_PRIORITY} (order among such overrides kept), so it still
 * draws last; one among the former defaults is kept as it was, so it still draws before the rest.
 * An override that happened to equal its kind's default cannot be told apart and is read as no
 * override. Draws already made are not redone: every
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
    int stored = fields.get("priority").asInt();
    if (former != null && stored == former) fields.put("priority", Grants.DEFAULT_PRIORITY);
    else if (stored > LATEST_FORMER_DEFAULT) fields.put("priority", afterTheRest(stored));
  }

  /** The highest former default: an override above it drew after every grant given without one. */
  static final int LATEST_FORMER_DEFAULT = Collections.max(FORMER_DEFAULTS.values());

  /** An override that drew after every default, read into (DEFAULT_PRIORITY, 1000] keeping the order among them. */
  static int afterTheRest(int stored) {
    int highest = 1000;
    long span = highest - Grants.DEFAULT_PRIORITY;
    long above = Math.min(stored, highest) - LATEST_FORMER_DEFAULT;
    return (int) (Grants.DEFAULT_PRIORITY + Math.max(1, above * span / (highest - LATEST_FORMER_DEFAULT)));
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
