package dev.tally.node.code;

import dev.tally.node.CborSerializable;
import dev.tally.node.code.CodeEvent.Defined;
import dev.tally.node.code.CodeEvent.RedemptionIssued;
import dev.tally.node.code.CodeEvent.RedemptionRefused;
import dev.tally.node.code.CodeEvent.RedemptionRequested;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where one code stands: its terms (null until defined), when it was voided (null = not) and its redemptions, at most
 * {@link CodeTerms#maxRedemptions()} (≤ {@link CodeTerms#MAX_REDEMPTIONS}), one per org.
 */
public record CodeState(CodeTerms terms, Instant voidedAt, List<Redemption> redemptions) implements CborSerializable {

  /** Redemption {@code number} (1-based) of the code, by {@code orgId}; {@code issued} once the org holds the grant. */
  public record Redemption(String orgId, int number, Instant at, boolean issued) implements CborSerializable {}

  /** What a redemption by an org would do now. */
  public sealed interface Decision {}

  public record Unknown() implements Decision {}

  public record Expired(Instant at) implements Decision {}

  public record Voided(Instant at) implements Decision {}

  public record UsedUp(int maxRedemptions) implements Decision {}

  /** The org redeemed the code before (even if it has since expired or been voided): answer that redemption, grant nothing new. */
  public record Again(Redemption recorded) implements Decision {}

  /** Start redemption {@code number} for the org. */
  public record Redeem(int number) implements Decision {}

  static CodeState undefined() {
    return new CodeState(null, null, List.of());
  }

  /** A redemption in flight counts as made: another org waits for its refusal rather than racing it. */
  public Decision decide(String orgId, Instant now) {
    if (terms == null) return new Unknown();
    Optional<Redemption> own = redemptionOf(orgId);
    if (own.isPresent()) return new Again(own.get());
    if (voidedAt != null) return new Voided(voidedAt);
    if (terms.expiredAt(now)) return new Expired(terms.expiresAt());
    if (redemptions.size() >= terms.maxRedemptions()) return new UsedUp(terms.maxRedemptions());
    int number = 1;
    while (numbered(number).isPresent()) number++;
    return new Redeem(number);
  }

  public Optional<Redemption> redemptionOf(String orgId) {
    return redemptions.stream().filter(r -> r.orgId().equals(orgId)).findFirst();
  }

  public Optional<Redemption> numbered(int number) {
    return redemptions.stream().filter(r -> r.number() == number).findFirst();
  }

  /** The redemptions whose grants may not be in their orgs yet. */
  public List<Redemption> granting() {
    return redemptions.stream().filter(r -> !r.issued()).toList();
  }

  CodeState apply(CodeEvent event) {
    if (event instanceof Defined defined) return terms == null ? new CodeState(defined.terms(), voidedAt, redemptions) : this;
    if (event instanceof CodeEvent.Voided voided) return new CodeState(terms, voided.at(), redemptions);
    List<Redemption> next = new ArrayList<>(redemptions);
    if (event instanceof RedemptionRequested requested) {
      next.add(new Redemption(requested.orgId(), requested.number(), requested.at(), false));
    } else if (event instanceof RedemptionIssued issued) {
      next.replaceAll(r -> r.number() == issued.number() ? new Redemption(r.orgId(), r.number(), r.at(), true) : r);
    } else if (event instanceof RedemptionRefused refused) {
      next.removeIf(r -> r.number() == refused.number());
    }
    return new CodeState(terms, voidedAt, List.copyOf(next));
  }
}
