package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.ListOrgsRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The operator's directory search: the API's filters as it names them, the id prefix matched here, links that keep them. */
class DirectorySearchTest {

  @Test
  void theStatesAreListOrgsStatuses() {
    assertEquals(ListOrgsRequest.Status.DEPLETED, new DirectoryPage.Search("", "", "depleted", DirectoryPage.BY_ID, "").status());
    assertEquals(ListOrgsRequest.Status.IN_DEBT, new DirectoryPage.Search("", "", "in-debt", DirectoryPage.BY_ID, "").status());
    assertEquals(ListOrgsRequest.Status.STATUS_UNSPECIFIED, new DirectoryPage.Search("", "", "any", DirectoryPage.BY_ID, "").status());
  }

  @Test
  void aPrefixMatchesTheStartOfTheIdOnly() {
    DirectoryPage.Search search = new DirectoryPage.Search("acme-", "", "any", DirectoryPage.BY_ID, "");
    assertTrue(search.matches(DirectoryEntry.newBuilder().setOrgId("acme-eu").build()));
    assertFalse(search.matches(DirectoryEntry.newBuilder().setOrgId("old-acme-eu").build()));
    assertTrue(new DirectoryPage.Search("", "", "any", DirectoryPage.BY_ID, "").matches(DirectoryEntry.newBuilder().setOrgId("x").build()));
  }

  @Test
  void aPageLinkKeepsTheSearchEncoded() {
    String link = new DirectoryPage.Search("a&b c", "pro", "in-debt", DirectoryPage.LAST_MONTH, "t1").link("next/=");
    assertEquals("/operator/orgs?q=a%26b%20c&plan=pro&status=in-debt&order=most%20used%20last%20month"
        + "&page=next%2F%3D#directory-h", link);
    assertEquals("/operator/orgs?q=&plan=&status=any&order=org%20id#directory-h",
        new DirectoryPage.Search("", "", "any", DirectoryPage.BY_ID, "").link(""));
  }

  @Test
  void theOrdersAreListOrgsOrdersAndLastMonthIsNamedByItsFirstInstant() {
    Clock midDecember = Clock.fixed(Instant.parse("2026-12-15T10:00:00Z"), ZoneOffset.UTC);
    Clock newYear = Clock.fixed(Instant.parse("2027-01-01T00:00:00Z"), ZoneOffset.ofHours(-5));
    ListOrgsRequest byId = new DirectoryPage.Search("", "", "any", DirectoryPage.BY_ID, "").request(midDecember).build();
    assertEquals(ListOrgsRequest.Order.ORDER_UNSPECIFIED, byId.getOrder());
    ListOrgsRequest thisMonth = new DirectoryPage.Search("", "flex", "in-debt", DirectoryPage.THIS_MONTH, "")
        .request(midDecember).build();
    assertEquals(ListOrgsRequest.Order.USAGE, thisMonth.getOrder());
    assertFalse(thisMonth.hasUsagePeriod(), "the node's current month");
    assertEquals("flex", thisMonth.getPlan());
    assertEquals(ListOrgsRequest.Status.IN_DEBT, thisMonth.getStatus());
    assertEquals(Instant.parse("2026-11-01T00:00:00Z").getEpochSecond(),
        new DirectoryPage.Search("", "", "any", DirectoryPage.LAST_MONTH, "").request(midDecember).build()
            .getUsagePeriod().getSeconds());
    assertEquals(Instant.parse("2026-12-01T00:00:00Z").getEpochSecond(),
        new DirectoryPage.Search("", "", "any", DirectoryPage.LAST_MONTH, "").request(newYear).build()
            .getUsagePeriod().getSeconds(), "months are UTC's, whatever the clock's zone");
    assertEquals("Used last month", new DirectoryPage.Search("", "", "any", DirectoryPage.LAST_MONTH, "").usageHeading());
  }
}
