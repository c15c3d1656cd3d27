package dev.tally.client;

import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import java.util.List;
import java.util.UUID;

/** Test orgs through the SDK's Accounts client, the way an operator would set them up, and their ledgers. */
final class Orgs {

  /** Prepaid top-ups only: no trial credits, no rate limits, so balances are exactly what tests grant. */
  static final String PLAN = "payg";

  private final AccountsClient accounts;

  Orgs(AccountsClient accounts) {
    this.accounts = accounts;
  }

  /** A new org holding {@code microCredits} of one PURCHASE grant. */
  String withCredits(long microCredits) {
    String orgId = "org-" + UUID.randomUUID();
    accounts.createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setPlan(PLAN).build());
    accounts.grantCredits(GrantCreditsRequest.newBuilder()
        .setOrgId(orgId).setKind(GrantKind.PURCHASE).setAmount(microCredits).build());
    return orgId;
  }

  /** Every event of the org's account, oldest first. */
  List<LedgerEntry> ledger(String orgId) {
    return accounts.ledger(orgId).toList();
  }

  /** The ledger entries of one type, e.g. RESERVATION_COMMITTED. */
  List<LedgerEntry> ledger(String orgId, String type) {
    return ledger(orgId).stream().filter(entry -> entry.getType().equals(type)).toList();
  }
}
