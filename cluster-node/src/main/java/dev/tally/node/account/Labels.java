package dev.tally.node.account;

import dev.tally.node.CborSerializable;

/** What a call is about; carried on reservations and charges for usage reports. */
public record Labels(String model, String project, String user, String callType) implements CborSerializable {
  public static final Labels NONE = new Labels("", "", "", "");
}
