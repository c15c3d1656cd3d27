package dev.tally.client;

import static dev.tally.v1.Credits.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.ErrorReason;
import dev.tally.v1.GrantKind;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.Referral;
import dev.tally.v1.TransferRewardsResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Referral rewards through the SDK: an org refers another, earns from its purchase, and moves the reward with its own key. */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferralsTest {

  TallyClient admin;

  @BeforeAll
  void connect() {
    admin = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).defaultDeadline(Duration.ofSeconds(30)).build();
  }

  @AfterAll
  void disconnect() {
    admin.close();
  }

  String createOrg(String referralCode) {
    String orgId = "org-" + UUID.randomUUID();
    admin.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setPlan(Orgs.PLAN).setReferralCode(referralCode).build());
    return orgId;
  }

  TallyClient clientWith(String role, String orgId) {
    String key = admin.accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole(role).setOrgId(orgId).build()).getKey();
    return TallyClient.builder().apiKey(key).nodes(TestNode.address()).defaultDeadline(Duration.ofSeconds(30)).build();
  }

  @Test
  void aReferrerEarnsFromItsReferredOrgsPurchaseAndMovesTheRewardWithItsOwnKey() {
    String referrer = createOrg("");
    try (TallyClient own = clientWith("metering", referrer)) {
      String code = own.accounts().getReferral(referrer).getReferralCode();
      String buyer = createOrg(code);
      admin.accounts().purchasePackage(PurchasePackageRequest.newBuilder()
          .setOrgId(buyer).setPackageName("standard").setPaymentReference("pay-" + UUID.randomUUID()).build());

      Referral earned = own.accounts().getReferralAsync(referrer).join();
      assertEquals(of(100), earned.getRewardBalance(), "10 % of the 1,000-credit package");
      assertEquals(0, own.balance(referrer).getBalance().getAvailable(), "not spendable before the transfer");

      TransferRewardsResponse moved = own.accounts().transferRewards(referrer);
      assertEquals(GrantKind.REFERRAL, moved.getGrant().getKind());
      assertEquals(of(100), own.balance(referrer).getBalance().getAvailable());
      TallyException empty = assertThrows(TallyException.class, () -> own.accounts().transferRewards(referrer));
      assertEquals(ErrorReason.NO_REWARDS_TO_TRANSFER, empty.reason());

      try (TallyClient buyers = clientWith("reader", buyer)) {
        assertThrows(PermissionDeniedException.class, () -> buyers.accounts().getReferral(referrer),
            "an org never reads another org's referral");
        assertTrue(buyers.accounts().getReferral(buyer).getReferred());
      }
    }
  }

  @Test
  void anUnknownReferralCodeFailsTheCreationWithItsReason() {
    TallyException refused = assertThrows(TallyException.class, () -> createOrg("tr_" + "0".repeat(29)));
    assertEquals(ErrorReason.REFERRAL_CODE_NOT_FOUND, refused.reason());
  }
}
