package dev.tally.node.account;

import dev.tally.node.account.OrgEvent.CreditsGranted;
import dev.tally.node.account.OrgEvent.GrantExpired;
import dev.tally.node.account.OrgEvent.GrantExpiringSoon;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.pcollections.PVector;
import org.pcollections.TreePVector;

/**
 * An account's grants with credits left, by id, and how they are drawn and expire. {@code given}
 * counts every grant ever given, so each new one knows it is the youngest. {@code finished} keeps
 * the last {@link #MAX_FINISHED} grants that were used up, expired or voided, oldest first, for the
 * org's grant list.
 */
public record Grants(PMap<String, Grant> byId, long given, PVector<GrantLine> finished) {

  /**
   * The priority of every grant given without one. An operator's explicit priority (0 to 1000) is
   * an override: below this the grant is drawn before the others, above it after them.
   */
  public static final int DEFAULT_PRIORITY = 500;

  /**
   * Rule 3: by priority (equal unless an operator set one), then trial first, then the soonest
   * expiry (never-expiring last), then the oldest, whatever the kind.
   */
  private static final Comparator<Grant> DRAW_ORDER =
      Comparator.comparingInt(Grant::priority)
          .thenComparing(grant -> grant.kind() != GrantKind.TRIAL)
          .thenComparing(Grant::expiresAt, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparingLong(Grant::sequence);

  public static final Grants NONE = new Grants(HashTreePMap.empty(), 0, TreePVector.empty());

  /**
   * The most finished grants an org's grant list keeps; past it the one that finished longest ago
   * is dropped (the ledger keeps every grant's events).
   */
  public static final int MAX_FINISHED = 1_000;

  /**
   * The most grants with credits left an org may be given by requests (what the account issues on
   * its own, one allocation a period, is not refused). With each grant at most the API's largest
   * amount (10^15 µcr), their sum, and so every balance, stays far inside a long.
   */
  public static final int MAX_GIVEN_AND_LEFT = 1_000;

  /** The grants of a snapshot, {@code given} of them ever given, and those finished (null in older snapshots). */
  static Grants of(Collection<Grant> grants, long given, List<GrantLine> finished) {
    PMap<String, Grant> byId = HashTreePMap.empty();
    for (Grant grant : grants) byId = byId.plus(grant.grantId(), grant);
    return new Grants(byId, given, finished == null ? TreePVector.empty() : TreePVector.from(finished));
  }

  /** What the account grants on its own (a plan's trial or allocation): no request, the default priority. */
  static CreditsGranted issued(String grantId, GrantKind kind, long amount, Instant at, Instant expiresAt) {
    return new CreditsGranted("", "", grantId, kind, amount, DEFAULT_PRIORITY, at, expiresAt, at);
  }

  public int size() {
    return byId.size();
  }

  public Grant get(String grantId) {
    return byId.get(grantId);
  }

  public Collection<Grant> values() {
    return byId.values();
  }

  /** Grants with credits left, in draw order (including those not yet in effect). */
  public List<Grant> inDrawOrder() {
    return byId.values().stream().sorted(DRAW_ORDER).toList();
  }

  /**
   * Up to {@code limit} grants, active and finished, given after the {@code after}-th grant, in the
   * order they were given: a grant keeps its place when it finishes, so pages never skip or repeat one.
   */
  public List<GrantLine> listedAfter(long after, int limit) {
    return Stream.concat(byId.values().stream().map(GrantLine::active), finished.stream())
        .filter(line -> line.grant().sequence() > after)
        .sorted(Comparator.comparingLong(line -> line.grant().sequence()))
        .limit(limit)
        .toList();
  }

  /** The credits left in the grants in effect at {@code now}. */
  public long remainingAt(Instant now) {
    long remaining = 0;
    for (Grant grant : byId.values()) {
      if (inEffectAt(grant, now)) remaining = Math.addExact(remaining, grant.remaining());
    }
    return remaining;
  }

  /** Rule 3: takes {@code amount} from the grants in effect in draw order. The caller ensures they hold enough. */
  List<Draw> drawsFor(long amount, Instant now) {
    List<Draw> draws = new ArrayList<>();
    long left = amount;
    List<Grant> inEffect = new ArrayList<>(byId.size());
    for (Grant grant : byId.values()) {
      if (inEffectAt(grant, now)) inEffect.add(grant);
    }
    inEffect.sort(DRAW_ORDER);
    for (Grant grant : inEffect) {
      if (left == 0) break;
      long taken = Math.min(left, grant.remaining());
      if (taken > 0) draws.add(new Draw(grant.grantId(), taken));
      left -= taken;
    }
    if (left != 0) throw new IllegalStateException("grants in effect cannot cover " + amount);
    return draws;
  }

  /** Rule 7: grants expire at their {@code expiresAt} with what they had left; these are the ones due by {@code until}. */
  List<GrantExpired> expiriesBy(Instant until) {
    List<GrantExpired> expired = List.of(); // most operations find none: no list is made for them
    for (Grant grant : byId.values()) {
      if (!expiredAt(grant, until)) continue;
      if (expired.isEmpty()) expired = new ArrayList<>();
      expired.add(new GrantExpired(grant.grantId(), grant.remaining(), grant.expiresAt()));
    }
    return expired;
  }

  /**
   * The expiry notices due by {@code until}: each grant with credits left that expires after it,
   * within {@code notice} of it, not told yet; stamped when the notice fell due (not before the grant
   * took effect).
   */
  List<GrantExpiringSoon> expiryNoticesBy(Instant until, Duration notice) {
    List<GrantExpiringSoon> due = List.of();
    for (Grant grant : byId.values()) {
      Instant noticeAt = noticeAt(grant, notice);
      if (noticeAt == null || noticeAt.isAfter(until) || expiredAt(grant, until)) continue;
      if (due.isEmpty()) due = new ArrayList<>();
      due.add(new GrantExpiringSoon(grant.grantId(), grant.remaining(), grant.expiresAt(), noticeAt));
    }
    return due;
  }

  /** When {@code grant}'s org is to be told it expires soon; null: never (no expiry, or told already). */
  private static Instant noticeAt(Grant grant, Duration notice) {
    if (grant.expiresAt() == null || grant.expiryNoticed() || grant.remaining() == 0) return null;
    Instant due = grant.expiresAt().minus(notice);
    return due.isBefore(grant.effectiveAt()) ? grant.effectiveAt() : due;
  }

  /** With {@code grantId}'s org told it expires soon. */
  Grants noticing(String grantId) {
    Grant grant = byId.get(grantId);
    return grant == null ? this : new Grants(byId.plus(grantId, grant.noticed()), given, finished);
  }

  /**
   * The first moment a grant falls due, or {@code otherwise} if none does before it: the grants'
   * expiries and expiry notices, and, while the account owes debt, when each not yet in effect takes
   * effect and could pay it. One in effect already can only pay once a hold ends, and every hold's
   * end settles debt on its own.
   */
  Instant firstDeadline(boolean owesDebt, Instant now, Duration notice, Instant otherwise) {
    Instant first = otherwise;
    for (Grant grant : byId.values()) {
      first = earlier(first, grant.expiresAt());
      first = earlier(first, noticeAt(grant, notice));
      if (owesDebt && grant.effectiveAt().isAfter(now)) first = earlier(first, grant.effectiveAt());
    }
    return first;
  }

  private static Instant earlier(Instant first, Instant candidate) {
    return candidate != null && candidate.isBefore(first) ? candidate : first;
  }

  /** With the granted credits, the youngest grant. */
  Grants granting(CreditsGranted event) {
    Grant grant = new Grant(event.grantId(), event.kind(), event.amount(), event.amount(), event.priority(),
        event.effectiveAt(), event.expiresAt(), given + 1, event.requestId().isEmpty() ? null : event.requestId());
    return new Grants(byId.plus(grant.grantId(), grant), given + 1, finished);
  }

  /** Without a grant that was voided or expired at {@code at}; it joins the finished ones. */
  Grants ending(String grantId, GrantLine.State state, Instant at) {
    return new Grants(byId.minus(grantId), given, finishing(finished, new GrantLine(byId.get(grantId), state, at)));
  }

  /** With the drawn credits taken off their grants at {@code at}; a grant drawn empty is finished. */
  Grants drawing(List<Draw> draws, Instant at) {
    PMap<String, Grant> drawn = byId;
    PVector<GrantLine> ended = finished;
    for (Draw draw : draws) {
      Grant grant = drawn.get(draw.grantId()).less(draw.amount());
      if (grant.remaining() == 0) {
        drawn = drawn.minus(grant.grantId());
        ended = finishing(ended, new GrantLine(grant, GrantLine.State.USED_UP, at));
      } else {
        drawn = drawn.plus(grant.grantId(), grant);
      }
    }
    return new Grants(drawn, given, ended);
  }

  private static PVector<GrantLine> finishing(PVector<GrantLine> finished, GrantLine line) {
    PVector<GrantLine> kept = finished.size() >= MAX_FINISHED ? finished.minus(0) : finished;
    return kept.plus(line);
  }

  /** Rule 7: expired credits are never drawn, nor credits that take effect later. */
  private static boolean inEffectAt(Grant grant, Instant now) {
    return !grant.effectiveAt().isAfter(now) && !expiredAt(grant, now);
  }

  private static boolean expiredAt(Grant grant, Instant now) {
    return grant.expiresAt() != null && !grant.expiresAt().isAfter(now);
  }
}
