package dev.tally.node.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One event an org's webhook endpoints are sent (issue 19 item 2), made from one event of the org's
 * journal ({@link WebhookEvents#of}). Its id is derived from the org and the journal event's sequence
 * number (and its index among the webhook events that journal event makes), so every redelivery and
 * replay of it carries the same {@code webhook-id}.
 *
 * @param data the type's fields, in the order the body shows them (docs/webhooks/*.schema.json)
 */
public record WebhookEvent(String orgId, long seqNr, int index, EventType type, Instant at, Map<String, Object> data) {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** {@code evt_<seqNr>_<index>_<orgId>}: the org last, since an org id may hold '_' (but no other separator). */
  private static final Pattern ID = Pattern.compile("evt_([1-9][0-9]{0,18})_([0-9]{1,4})_([A-Za-z0-9._:@-]{1,128})");

  public WebhookEvent {
    data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
  }

  /** The event's id: {@code evt_<seqNr>_<index>_<orgId>}. */
  public String eventId() {
    return id(orgId, seqNr, index);
  }

  public static String id(String orgId, long seqNr, int index) {
    return "evt_" + seqNr + "_" + index + "_" + orgId;
  }

  /** Where an event id points: the org's journal event and the index among what it made. */
  public record Source(String orgId, long seqNr, int index) {}

  /** The source of {@code eventId}; empty when it is no event id. */
  public static Optional<Source> source(String eventId) {
    Matcher m = ID.matcher(eventId);
    if (!m.matches()) return Optional.empty();
    try {
      return Optional.of(new Source(m.group(3), Long.parseLong(m.group(1)), Integer.parseInt(m.group(2))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The body delivered: {@code {"id", "type", "timestamp", "org_id", "data"}}, the Standard Webhooks envelope plus the ids. */
  public String json() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", eventId());
    body.put("type", type.name());
    body.put("timestamp", at.toString());
    body.put("org_id", orgId);
    body.put("data", data);
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("strings, numbers and null always make JSON", e);
    }
  }
}
