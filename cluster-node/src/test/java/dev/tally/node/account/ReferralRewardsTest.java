package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.Outcome.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 4 in the referrer's account: a referred org's purchase earns a reward under the
 * referrer's plan, capped per referred org and per period, into a balance that is not spendable until
 * it is transferred, once, into a REFERRAL grant.
 */
class ReferralRewardsTest extends AccountTestBase {

  static final long C = MICROS_PER_CREDIT;

  EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> referrer() {
    return orgOn("referring");
  }

  static Outcome.Rewarded reward(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account,
      String rewardId, String buyer, long purchased) {
    return (Outcome.Rewarded) done(account, new Operation.CreditReward(rewardId, buyer, purchased)).result();
  }

  static Outcome.ReferralView referral(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account) {
    return (Outcome.ReferralView) done(account, new Operation.GetReferral("tr_candidate")).result();
  }

  @Test
  void aReferredOrgsPurchaseEarnsThePlansPercentageIntoABalanceThatIsNotSpendable() {
    var account = referrer();
    assertEquals(10 * C, reward(account, "reward:1", "buyer-1", 100 * C).reward());

    assertEquals(10 * C, referral(account).balance());
    assertEquals(0, balance(account).available(), "the reward is in no grant");
    Outcome.Rejected refused = rejected(account, new Operation.Charge(nextId(), 1, null, Labels.NONE));
    assertEquals(Rejection.CREDITS_EXHAUSTED, refused.reason());
    assertEquals(10 * C, referral(account).balance());
  }

  @Test
  void aRewardSentAgainWithItsIdIsCreditedOnce() {
    var account = referrer();
    reward(account, "reward:1", "buyer-1", 100 * C);
    for (int resend = 0; resend < 2; resend++) {
      var again = execute(account, new Operation.CreditReward("reward:1", "buyer-1", 100 * C));
      assertEquals(10 * C, ((Outcome.Rewarded) ((Outcome.Done) again.reply().outcomes().get(0)).result()).reward());
      assertEquals(List.of(), again.events(), "a resend persists nothing");
    }
    assertEquals(10 * C, referral(account).balance());
    assertEquals(10 * C, referral(account).earned());
  }

  @Test
  void whatOneReferredOrgsPurchasesEarnStopsAtTheCapPerReferredOrg() {
    var account = referrer();
    assertEquals(10 * C, reward(account, "reward:1", "buyer-1", 100 * C).reward());
    assertEquals(5 * C, reward(account, "reward:2", "buyer-1", 100 * C).reward(), "cut to the 15-credit cap");
    assertEquals(0, reward(account, "reward:3", "buyer-1", 100 * C).reward());
    assertEquals(10 * C, reward(account, "reward:4", "buyer-2", 100 * C).reward(), "another referred org has its own cap");

    Outcome.ReferralView view = referral(account);
    assertEquals(25 * C, view.balance());
    assertEquals(2, view.rewardingOrgs());
  }

  @Test
  void whatAllReferredOrgsEarnInAPeriodStopsAtTheCapPerPeriodUntilTheNextPeriod() {
    var account = referrer();
    assertEquals(10 * C, reward(account, "reward:1", "buyer-1", 100 * C).reward());
    assertEquals(10 * C, reward(account, "reward:2", "buyer-2", 100 * C).reward());
    assertEquals(5 * C, reward(account, "reward:3", "buyer-3", 100 * C).reward(), "cut to the 25-credit cap");
    assertEquals(0, reward(account, "reward:4", "buyer-4", 100 * C).reward());
    assertEquals(25 * C, referral(account).earnedThisPeriod());

    clock.advance(Duration.ofDays(30)); // 5 December: the next billing period
    assertEquals(0, referral(account).earnedThisPeriod());
    assertEquals(10 * C, reward(account, "reward:5", "buyer-4", 100 * C).reward());
    Outcome.ReferralView view = referral(account);
    assertEquals(10 * C, view.earnedThisPeriod());
    assertEquals(35 * C, view.balance());
    assertEquals(35 * C, view.earned());
  }

  @Test
  void aFixedRewardIsTheSameForEveryPurchase() {
    var account = orgOn("fixed-reward");
    assertEquals(3 * C, reward(account, "reward:1", "buyer-1", 1_000 * C).reward());
    assertEquals(3 * C, reward(account, "reward:2", "buyer-1", 1).reward());
    assertEquals(6 * C, referral(account).balance());
  }

  @Test
  void aPlanWithoutReferralTermsEarnsNothingButTheRewardIsRecorded() {
    var account = org(); // payg: no referral terms
    var result = execute(account, new Operation.CreditReward("reward:1", "buyer-1", 100 * C));
    assertEquals(0, ((Outcome.Rewarded) ((Outcome.Done) result.reply().outcomes().get(0)).result()).reward());
    assertInstanceOf(OrgEvent.RewardEarned.class, result.events().get(0), "the ledger shows the purchase earned nothing");
    assertEquals(0, referral(account).balance());
  }

  @Test
  void aTransferMovesTheWholeBalanceIntoAReferralGrantOncePerRequestId() {
    var account = referrer();
    reward(account, "reward:1", "buyer-1", 100 * C);

    Outcome.Done moved = done(account, new Operation.TransferRewards("transfer-1"));
    Grant grant = ((Outcome.Granted) moved.result()).grant();
    assertEquals(GrantKind.REFERRAL, grant.kind());
    assertEquals(10 * C, grant.amount());
    assertEquals("referral-transfer-1", grant.grantId());
    assertEquals(null, grant.expiresAt());
    assertEquals(10 * C, moved.balance().available(), "spendable now");

    var retry = execute(account, new Operation.TransferRewards("transfer-1"));
    assertEquals(grant, ((Outcome.Granted) ((Outcome.Done) retry.reply().outcomes().get(0)).result()).grant());
    assertEquals(List.of(), retry.events());
    assertEquals(Rejection.NO_REWARDS, rejected(account, new Operation.TransferRewards("transfer-2")).reason());

    Outcome.ReferralView view = referral(account);
    assertEquals(0, view.balance());
    assertEquals(10 * C, view.transferred());
    assertEquals(10 * C, balance(account).available());
    assertEquals(10 * C, ((Outcome.Committed) done(account, commitOf(account, 10 * C)).result()).charged());
  }

  private Operation.Commit commitOf(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, long amount) {
    return new Operation.Commit(nextId(), reserve(account, amount), amount, null);
  }

  @Test
  void transfersRacingInOneBatchMoveTheBalanceOnce() {
    var account = referrer();
    reward(account, "reward:1", "buyer-1", 100 * C);

    List<Outcome> outcomes = execute(account,
        new Operation.TransferRewards("transfer-a"), new Operation.TransferRewards("transfer-b")).reply().outcomes();

    assertInstanceOf(Outcome.Done.class, outcomes.get(0));
    assertEquals(Rejection.NO_REWARDS, assertInstanceOf(Outcome.Rejected.class, outcomes.get(1)).reason());
    assertEquals(10 * C, balance(account).available());
  }

  @Test
  void anEmptyRewardBalanceHasNothingToTransfer() {
    var account = referrer();
    assertEquals(Rejection.NO_REWARDS, rejected(account, new Operation.TransferRewards("transfer-1")).reason());
    assertEquals(0, balance(account).available());
  }

  @Test
  void anOrgIsReferredAtItsCreationAndItsReferrerNeverChanges() {
    var account = unopened("referred-1");
    done(account, new Operation.CreateOrg("create-1", "referred-1", "Referred", "payg", "referrer-1"));
    assertTrue(referral(account).referred());

    done(account, new Operation.CreateOrg("create-1", "referred-1", "Referred", "payg", "referrer-1")); // a retry
    assertEquals(Rejection.ORG_EXISTS,
        rejected(account, new Operation.CreateOrg("create-2", "referred-1", "Referred", "payg", "referrer-2")).reason());
    assertEquals(Rejection.ORG_EXISTS,
        rejected(account, new Operation.CreateOrg("create-3", "referred-1", "Referred", "payg")).reason());
    assertEquals("referrer-1", ((Outcome.OrgInfo) done(account, new Operation.GetOrg()).result()).referredBy());
  }

  @Test
  void anOrgsReferralCodeIsIssuedTheFirstTimeItIsAskedForAndKept() {
    var account = org();
    var first = execute(account, new Operation.GetReferral("tr_first"));
    assertInstanceOf(OrgEvent.ReferralCodeIssued.class, first.events().get(0));
    assertEquals("tr_first", ((Outcome.ReferralView) ((Outcome.Done) first.reply().outcomes().get(0)).result()).code());
    assertFalse(((Outcome.ReferralView) ((Outcome.Done) first.reply().outcomes().get(0)).result()).referred());

    var again = execute(account, new Operation.GetReferral("tr_second"));
    assertEquals(List.of(), again.events());
    assertEquals("tr_first", ((Outcome.ReferralView) ((Outcome.Done) again.reply().outcomes().get(0)).result()).code());

    account.restart();
    assertEquals("tr_first", referral(account).code());
  }

  @Test
  void rewardsBalancesAndCapsSurviveARestart() {
    var account = referrer();
    reward(account, "reward:1", "buyer-1", 100 * C);
    reward(account, "reward:2", "buyer-1", 100 * C);
    account.restart();
    assertEquals(0, reward(account, "reward:3", "buyer-1", 100 * C).reward(), "the cap per referred org still binds");
    assertEquals(15 * C, referral(account).balance());
  }

  /** The per-org bound on referred orgs: pure decisions, so 1,001 rewards take no journal writes. */
  @Test
  void anOrgEarnsFromAtMostAThousandReferredOrgs() {
    Instant now = clock.instant();
    AccountState state = AccountState.handle(new AccountState.Unopened(),
        List.of(new Operation.CreateOrg("create", "wide", "Wide", "wide-reward")), now, settings, RateGate.OPEN,
        ReservationIds.RANDOM).after();
    List<Operation> rewards = new ArrayList<>();
    for (int i = 0; i < Rewards.MAX_REFERRED_ORGS; i++) rewards.add(new Operation.CreditReward("reward:" + i, "buyer-" + i, C));
    for (int from = 0; from < rewards.size(); from += 100) {
      state = AccountState.handle(state, rewards.subList(from, from + 100), now, settings, RateGate.OPEN, ReservationIds.RANDOM).after();
    }
    AccountState.Handled more = AccountState.handle(state, List.of(
            new Operation.CreditReward("reward:new", "one-more-buyer", C),
            new Operation.CreditReward("reward:known", "buyer-7", C)),
        now, settings, RateGate.OPEN, ReservationIds.RANDOM);

    Outcome.Rejected refused = assertInstanceOf(Outcome.Rejected.class, more.outcomes().get(0));
    assertEquals(Rejection.ACCOUNT_LIMIT, refused.reason());
    assertEquals("referred_orgs", refused.facts().get("limit"));
    assertInstanceOf(Outcome.Done.class, more.outcomes().get(1), "a referred org already known still earns");
    Rewards after = ((OpenAccount) more.after()).referral().rewards();
    assertEquals(Rewards.MAX_REFERRED_ORGS, after.earnedByReferredOrg().size());
    assertEquals(Rewards.MAX_REFERRED_ORGS + 1, after.balance());
  }
}
