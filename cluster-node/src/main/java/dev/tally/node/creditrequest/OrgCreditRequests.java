package dev.tally.node.creditrequest;

import dev.tally.node.CborSerializable;
import dev.tally.node.creditrequest.CreditRequest.PeriodUsage;
import dev.tally.node.creditrequest.CreditRequest.Status;
import dev.tally.node.creditrequest.CreditRequestEvent.Approved;
import dev.tally.node.creditrequest.CreditRequestEvent.Denied;
import dev.tally.node.creditrequest.CreditRequestEvent.Filed;
import dev.tally.node.creditrequest.CreditRequestEvent.GrantRefused;
import dev.tally.node.creditrequest.CreditRequestEvent.Granted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An org's credit requests, oldest first: at most {@link #MAX_OPEN} open at a time and
 * {@link #MAX_KEPT} kept (the oldest decided ones make room; the journal keeps every one). It decides
 * what a filing or a decision does; {@link #apply} only applies.
 *
 * @param lastNumber the number of the org's latest request ever filed: numbers are never reused
 */
public record OrgCreditRequests(long lastNumber, List<CreditRequest> requests) implements CborSerializable {

  /** Requests an org may have open (not yet decided for good) at once. */
  public static final int MAX_OPEN = 3;
  /** Requests an org's entity keeps (and lists); beyond, the oldest decided one is dropped. */
  public static final int MAX_KEPT = 100;

  static final OrgCreditRequests NONE = new OrgCreditRequests(0, List.of());

  /** What a filing does. */
  public sealed interface Filing {}

  /** A new request, to persist. */
  public record New(CreditRequest request) implements Filing {}

  /** The filing's request id filed this same request before: answer it, change nothing. */
  public record Again(CreditRequest recorded) implements Filing {}

  /** The filing's request id filed another request: refused. */
  public record Reused(CreditRequest recorded) implements Filing {}

  /** The org's usage has not passed the threshold: refused. */
  public record BelowThreshold(PeriodUsage usage) implements Filing {}

  /** The org has {@link #MAX_OPEN} requests open: refused until one is decided. */
  public record TooManyOpen(int max) implements Filing {}

  /**
   * A request id the org filed with before is answered first, whatever changed since; then the
   * threshold, then the bound on open requests.
   *
   * @param thresholdPassed whether the org's period usage passed the threshold ({@code Period.usageReached})
   */
  public Filing file(String requestId, long amount, String reason, PeriodUsage usage, boolean thresholdPassed, Instant now) {
    Optional<CreditRequest> earlier = requests.stream().filter(r -> r.requestId().equals(requestId)).findFirst();
    if (earlier.isPresent()) {
      return earlier.get().sameFiling(amount, reason) ? new Again(earlier.get()) : new Reused(earlier.get());
    }
    if (!thresholdPassed) return new BelowThreshold(usage);
    if (requests.stream().filter(r -> r.status().open()).count() >= MAX_OPEN) return new TooManyOpen(MAX_OPEN);
    return new New(new CreditRequest(lastNumber + 1, requestId, amount, reason, usage, now, Status.OPEN, null, ""));
  }

  /** What deciding a request does. */
  public sealed interface Deciding {}

  public record NotFound(long number) implements Deciding {}

  /** An open request approved: persist the approval, then grant. */
  public record Approve(CreditRequest request) implements Deciding {}

  /** An open request denied. */
  public record Deny(CreditRequest request) implements Deciding {}

  /** Decided this way before (an approval's grant may still be under way): answer that, decide nothing. */
  public record Same(CreditRequest request) implements Deciding {}

  /** Decided the other way before: refused. */
  public record Other(CreditRequest request) implements Deciding {}

  public Deciding decide(long number, boolean approve) {
    Optional<CreditRequest> found = numbered(number);
    if (found.isEmpty()) return new NotFound(number);
    CreditRequest request = found.get();
    return switch (request.status()) {
      case OPEN -> approve ? new Approve(request) : new Deny(request);
      case GRANTING, APPROVED -> approve ? new Same(request) : new Other(request);
      case DENIED -> approve ? new Other(request) : new Same(request);
    };
  }

  public Optional<CreditRequest> numbered(long number) {
    return requests.stream().filter(r -> r.number() == number).findFirst();
  }

  /** The approved requests whose grants may not be in the org yet. */
  public List<CreditRequest> granting() {
    return requests.stream().filter(r -> r.status() == Status.GRANTING).toList();
  }

  /**
   * Up to {@code limit} requests, newest first, below number {@code before} (0: from the newest), of
   * {@code status} (null: any); {@code more} when others follow.
   */
  public Page page(Status status, long before, int limit) {
    List<CreditRequest> matching = requests.stream()
        .filter(r -> before <= 0 || r.number() < before)
        .filter(r -> status == null || r.status() == status)
        .sorted(Comparator.comparingLong(CreditRequest::number).reversed())
        .limit(limit + 1L)
        .toList();
    boolean more = matching.size() > limit;
    return new Page(more ? matching.subList(0, limit) : matching, more);
  }

  public record Page(List<CreditRequest> requests, boolean more) implements CborSerializable {}

  OrgCreditRequests apply(CreditRequestEvent event) {
    if (event instanceof Filed filed) {
      List<CreditRequest> next = new ArrayList<>(requests);
      next.add(filed.request());
      if (next.size() > MAX_KEPT) {
        // Open requests are at most MAX_OPEN < MAX_KEPT: a decided one is always there to drop.
        next.stream().filter(r -> !r.status().open()).findFirst().ifPresent(next::remove);
      }
      return new OrgCreditRequests(filed.number(), List.copyOf(next));
    }
    if (event instanceof Approved approved) return replacing(approved.number(), Status.GRANTING, approved.at(), approved.note());
    if (event instanceof Granted granted) {
      CreditRequest approved = numbered(granted.number()).orElseThrow();
      return replacing(granted.number(), Status.APPROVED, approved.decidedAt(), approved.note());
    }
    if (event instanceof GrantRefused refused) return replacing(refused.number(), Status.OPEN, null, "");
    Denied denied = (Denied) event;
    return replacing(denied.number(), Status.DENIED, denied.at(), denied.note());
  }

  private OrgCreditRequests replacing(long number, Status status, Instant decidedAt, String note) {
    List<CreditRequest> next = new ArrayList<>(requests);
    next.replaceAll(r -> r.number() == number ? r.with(status, decidedAt, note) : r);
    return new OrgCreditRequests(lastNumber, List.copyOf(next));
  }
}
