package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.terms.Usage;

/**
 * What a call is about; carried on reservations and charges for usage reports. The API key that
 * made the call travels beside it (events' {@code apiKeyId}), not in it: labels are part of a
 * request's fingerprint, the key is not (a retry may come with a rotated key).
 */
public record Labels(String model, String project, String user, String callType) implements CborSerializable {
  public static final Labels NONE = new Labels("", "", "", "");

  /** The labels a charge for {@code usage} (null: a plain amount) is reported under: the usage's model and call type where it names them. */
  public Labels reportedWith(Usage usage) {
    if (usage == null) return this;
    return new Labels(usage.model().isEmpty() ? model : usage.model(), project, user,
        usage.callType().isEmpty() ? callType : usage.callType());
  }

  /** {@code labels}, or {@link #NONE} for an event written before it carried them. */
  public static Labels orNone(Labels labels) {
    return labels == null ? NONE : labels;
  }

  /** {@code apiKeyId}, or "" for an event written before it carried one. */
  public static String keyOrNone(String apiKeyId) {
    return apiKeyId == null ? "" : apiKeyId;
  }
}
