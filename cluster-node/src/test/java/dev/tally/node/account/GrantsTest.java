package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tally.node.account.OrgEvent.CreditsGranted;
import dev.tally.node.account.OrgEvent.GrantExpired;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The grants of one account: which are drawn first, which are in effect, which expired (rules 3 and 7). */
class GrantsTest {

  static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");
  static final Instant IN_A_DAY = NOW.plus(Duration.ofDays(1));
  static final Instant IN_A_WEEK = NOW.plus(Duration.ofDays(7));
  static final Instant NEVER = Instant.MAX;

  static CreditsGranted granted(String grantId, GrantKind kind, long amount, Instant effectiveAt, Instant expiresAt) {
    return new CreditsGranted("", "", grantId, kind, amount, Grants.DEFAULT_PRIORITY, effectiveAt, expiresAt, NOW);
  }

  static Grants given(CreditsGranted... events) {
    Grants grants = Grants.NONE;
    for (CreditsGranted event : events) grants = grants.granting(event);
    return grants;
  }

  static List<String> ids(List<Grant> grants) {
    return grants.stream().map(Grant::grantId).toList();
  }

  @Test
  void trialIsDrawnFirstThenTheSoonestToExpireThenTheOldestAndNeverExpiringLast() {
    Grants grants = given(
        granted("bought-first", GrantKind.PURCHASE, 5, NOW, null),
        granted("allocation", GrantKind.SUBSCRIPTION, 5, NOW, null),
        granted("code-week", GrantKind.REDEMPTION, 5, NOW, IN_A_WEEK),
        granted("bought-day", GrantKind.PURCHASE, 5, NOW, IN_A_DAY),
        granted("trial", GrantKind.TRIAL, 5, NOW, IN_A_WEEK));
    assertEquals(List.of("trial", "bought-day", "code-week", "bought-first", "allocation"), ids(grants.inDrawOrder()));
    assertEquals(List.of(new Draw("trial", 5), new Draw("bought-day", 5), new Draw("code-week", 2)), grants.drawsFor(12, NOW));
  }

  @Test
  void anExplicitPriorityOverridesTheOrderBeforeOrAfterTheGrantsWithout() {
    CreditsGranted first = new CreditsGranted("", "", "adjustment", GrantKind.ADJUSTMENT, 5, 0, NOW, null, NOW);
    CreditsGranted last = new CreditsGranted("", "", "bought-day", GrantKind.PURCHASE, 5, 501, NOW, IN_A_DAY, NOW);
    Grants grants = given(last, granted("trial", GrantKind.TRIAL, 5, NOW, null),
        granted("allocation", GrantKind.SUBSCRIPTION, 5, NOW, null), first);
    assertEquals(List.of("adjustment", "trial", "allocation", "bought-day"), ids(grants.inDrawOrder()));
  }

  @Test
  void onlyGrantsInEffectAreDrawnAndCounted() {
    Grants grants = given(
        granted("not-yet", GrantKind.TRIAL, 5, IN_A_DAY, null),
        granted("expired", GrantKind.PROMOTION, 5, NOW.minus(Duration.ofDays(2)), NOW),
        granted("bought", GrantKind.PURCHASE, 5, NOW, null));
    assertEquals(5, grants.remainingAt(NOW));
    assertEquals(List.of(new Draw("bought", 5)), grants.drawsFor(5, NOW));
    assertThrows(IllegalStateException.class, () -> grants.drawsFor(6, NOW), "the caller checks the balance first");
    assertEquals(10, grants.remainingAt(IN_A_DAY));
  }

  @Test
  void drawingTakesCreditsOffAndDropsAGrantDrawnEmpty() {
    Grants grants =
        given(granted("trial", GrantKind.TRIAL, 5, NOW, null), granted("bought", GrantKind.PURCHASE, 5, NOW, null));
    Grants drawn = grants.drawing(grants.drawsFor(7, NOW), NOW);
    assertNull(drawn.get("trial"));
    assertEquals(3, drawn.get("bought").remaining());
    assertEquals(5, drawn.get("bought").amount());
  }

  @Test
  void grantsExpireAtTheirExpiryWithWhatTheyHadLeft() {
    Grants grants = given(
        granted("day", GrantKind.PROMOTION, 5, NOW, IN_A_DAY), granted("forever", GrantKind.PURCHASE, 5, NOW, null));
    Grants drawn = grants.drawing(List.of(new Draw("day", 2)), NOW);
    assertEquals(List.of(), drawn.expiriesBy(IN_A_DAY.minusNanos(1)));
    assertEquals(List.of(new GrantExpired("day", 3, IN_A_DAY)), drawn.expiriesBy(IN_A_WEEK));
  }

  @Test
  void aGrantThatTakesEffectLaterIsADeadlineOnlyWhileThereIsDebtToPay() {
    Grants grants = given(granted("later", GrantKind.PURCHASE, 5, IN_A_DAY, IN_A_WEEK));
    assertEquals(IN_A_WEEK, grants.firstDeadline(false, NOW, java.time.Duration.ZERO, NEVER));
    assertEquals(IN_A_DAY, grants.firstDeadline(true, NOW, java.time.Duration.ZERO, NEVER));
  }

  @Test
  void aGrantInEffectAlreadyIsNoDeadlineEvenWithDebt() {
    Grants grants = given(granted("now", GrantKind.PURCHASE, 5, NOW, null));
    assertEquals(NEVER, grants.firstDeadline(true, NOW, java.time.Duration.ZERO, NEVER));
    assertEquals(NEVER, grants.firstDeadline(true, IN_A_DAY, java.time.Duration.ZERO, NEVER));
  }

  @Test
  void theFirstDeadlineIsTheEarliestOfEveryGrantsExpiryAndNoticeAndWhatComesOtherwise() {
    Grants grants = given(granted("week", GrantKind.PURCHASE, 5, NOW, IN_A_WEEK), granted("day", GrantKind.PROMOTION, 5, NOW, IN_A_DAY));
    assertEquals(IN_A_DAY, grants.firstDeadline(false, NOW, java.time.Duration.ZERO, NEVER));
    assertEquals(IN_A_DAY.minusSeconds(3_600), grants.firstDeadline(false, NOW, java.time.Duration.ofHours(1), NEVER),
        "the day grant's notice, an hour before its expiry");
    assertEquals(NOW.plusSeconds(60), grants.firstDeadline(false, NOW, java.time.Duration.ZERO, NOW.plusSeconds(60)));
  }

  @Test
  void eachNewGrantIsTheYoungest() {
    Grants grants = given(granted("a", GrantKind.PURCHASE, 5, NOW, null), granted("b", GrantKind.PURCHASE, 5, NOW, null));
    assertEquals(2, grants.given());
    assertEquals(2, grants.get("b").sequence());
    assertEquals(grants, Grants.of(grants.values(), grants.given(), grants.finished()), "a snapshot's grants read back the same");
  }

  @Test
  void finishedGrantsStayListedInTheOrderTheyWereGivenWithHowTheyEnded() {
    Grants grants = given(
            granted("used", GrantKind.TRIAL, 5, NOW, null),
            granted("left", GrantKind.PURCHASE, 5, NOW, null),
            granted("lapsed", GrantKind.PROMOTION, 5, NOW, IN_A_DAY),
            granted("taken", GrantKind.ADJUSTMENT, 5, NOW, null))
        .drawing(List.of(new Draw("used", 5), new Draw("left", 2), new Draw("lapsed", 1)), NOW)
        .ending("lapsed", GrantLine.State.EXPIRED, IN_A_DAY)
        .ending("taken", GrantLine.State.VOIDED, IN_A_WEEK);

    List<GrantLine> listed = grants.listedAfter(0, 10);

    assertEquals(List.of("used", "left", "lapsed", "taken"), listed.stream().map(l -> l.grant().grantId()).toList());
    assertEquals(List.of(GrantLine.State.USED_UP, GrantLine.State.ACTIVE, GrantLine.State.EXPIRED, GrantLine.State.VOIDED),
        listed.stream().map(GrantLine::state).toList());
    assertEquals(List.of(5L, 2L, 1L, 0L), listed.stream().map(GrantLine::used).toList());
    assertEquals(List.of(0L, 3L, 0L, 0L), listed.stream().map(GrantLine::remaining).toList());
    assertEquals(4, listed.get(2).expired());
    assertEquals(5, listed.get(3).voided());
    assertEquals(List.of(NOW, IN_A_DAY, IN_A_WEEK),
        List.of(listed.get(0).endedAt(), listed.get(2).endedAt(), listed.get(3).endedAt()));
    assertEquals(List.of("lapsed", "taken"), grants.listedAfter(2, 10).stream().map(l -> l.grant().grantId()).toList(),
        "a page after the second grant");
  }

  @Test
  void onlyTheLastThousandFinishedGrantsAreKeptTheOldestDropped() {
    Grants grants = Grants.NONE;
    for (int i = 0; i < Grants.MAX_FINISHED + 5; i++) {
      grants = grants.granting(granted("g" + i, GrantKind.PURCHASE, 1, NOW, null)).drawing(List.of(new Draw("g" + i, 1)), NOW);
    }
    assertEquals(Grants.MAX_FINISHED, grants.finished().size());
    assertEquals("g5", grants.finished().get(0).grant().grantId());
    assertEquals("g" + (Grants.MAX_FINISHED + 4), grants.listedAfter(Grants.MAX_FINISHED + 4, 1).get(0).grant().grantId());
  }
}
