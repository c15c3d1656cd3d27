package dev.tally.node.api;

import com.google.protobuf.Timestamp;
import dev.tally.node.account.Draw;
import dev.tally.node.account.Grant;
import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Labels;
import dev.tally.node.account.Outcome.BalanceView;
import dev.tally.v1.Balance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Conversions between the entity's records and the tally.v1 messages. */
final class ProtoMapping {

  private ProtoMapping() {}

  static Balance balance(BalanceView view) {
    return Balance.newBuilder()
        .setAvailable(view.available())
        .setHeld(view.held())
        .setDebt(view.debt())
        .setGrantedRemaining(view.grantedRemaining())
        .setOpenReservations(view.openReservations())
        .build();
  }

  static dev.tally.v1.Grant grant(Grant grant) {
    dev.tally.v1.Grant.Builder proto = dev.tally.v1.Grant.newBuilder()
        .setGrantId(grant.grantId())
        .setKind(kind(grant.kind()))
        .setAmount(grant.amount())
        .setRemaining(grant.remaining())
        .setPriority(grant.priority())
        .setEffectiveAt(timestamp(grant.effectiveAt()));
    if (grant.expiresAt() != null) proto.setExpiresAt(timestamp(grant.expiresAt()));
    return proto.build();
  }

  static List<dev.tally.v1.Draw> draws(List<Draw> draws) {
    return draws.stream()
        .map(d -> dev.tally.v1.Draw.newBuilder().setGrantId(d.grantId()).setAmount(d.amount()).build())
        .toList();
  }

  static dev.tally.v1.GrantKind kind(GrantKind kind) {
    return dev.tally.v1.GrantKind.valueOf(kind.name());
  }

  /** Null for GRANT_KIND_UNSPECIFIED or an unknown number. */
  static GrantKind kind(dev.tally.v1.GrantKind kind) {
    if (kind == dev.tally.v1.GrantKind.GRANT_KIND_UNSPECIFIED || kind == dev.tally.v1.GrantKind.UNRECOGNIZED) {
      return null;
    }
    return GrantKind.valueOf(kind.name());
  }

  static Labels labels(dev.tally.v1.Labels labels) {
    return new Labels(labels.getModel(), labels.getProject(), labels.getUser(), labels.getCallType());
  }

  static dev.tally.v1.Labels labels(Labels labels) {
    return dev.tally.v1.Labels.newBuilder()
        .setModel(labels.model())
        .setProject(labels.project())
        .setUser(labels.user())
        .setCallType(labels.callType())
        .build();
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  static Duration duration(com.google.protobuf.Duration duration) {
    return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }
}
