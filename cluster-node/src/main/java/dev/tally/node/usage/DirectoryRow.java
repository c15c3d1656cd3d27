package dev.tally.node.usage;

import dev.tally.node.account.OrgEvent;
import java.time.Instant;

/**
 * One org as the directory lists it: what its events say up to {@code appliedSeqNr}. The money sums
 * are µcr over all its events; {@link #balance()} is what its grants hold less its debt, the
 * available credits before holds (GetBalance gives those, exact now).
 *
 * @param appliedSeqNr the last event applied; 0 before the first
 */
public record DirectoryRow(
    String orgId,
    String displayName,
    String plan,
    Instant createdAt,
    long granted,
    long used,
    long expired,
    long voided,
    Instant lastEventAt,
    long appliedSeqNr) {

  /** An org the directory has seen no event of. */
  public static DirectoryRow unknown(String orgId) {
    return new DirectoryRow(orgId, "", "", null, 0, 0, 0, 0, null, 0);
  }

  /** granted − used − expired − voided: negative when the org owes. */
  public long balance() {
    return Math.subtractExact(Math.subtractExact(Math.subtractExact(granted, used), expired), voided);
  }

  /**
   * The row after the org's event {@code seqNr}; this row unchanged when the event is applied
   * already. Events must come in order: the caller fills any gap from the journal first.
   */
  public DirectoryRow after(long seqNr, OrgEvent event) {
    if (seqNr <= appliedSeqNr) return this;
    if (seqNr != appliedSeqNr + 1) {
      throw new IllegalStateException("org " + orgId + ": event " + seqNr + " after " + appliedSeqNr);
    }
    String name = displayName;
    String onPlan = plan;
    Instant created = createdAt;
    long in = granted;
    long out = used;
    long gone = expired;
    long cancelled = voided;
    if (event instanceof OrgEvent.OrgCreated e) {
      name = e.displayName();
      onPlan = e.plan();
      created = e.at();
    } else if (event instanceof OrgEvent.PlanChanged e) {
      onPlan = e.plan();
    } else if (event instanceof OrgEvent.CreditsGranted e) {
      in = Math.addExact(in, e.amount());
    } else if (event instanceof OrgEvent.ReservationCommitted e) {
      out = Math.addExact(out, e.charged());
    } else if (event instanceof OrgEvent.CreditsCharged e) {
      out = Math.addExact(out, e.charged());
    } else if (event instanceof OrgEvent.GrantExpired e) {
      gone = Math.addExact(gone, e.expired());
    } else if (event instanceof OrgEvent.GrantVoided e) {
      cancelled = Math.addExact(cancelled, e.voided());
    }
    return new DirectoryRow(orgId, name, onPlan, created, in, out, gone, cancelled, event.at(), seqNr);
  }
}
