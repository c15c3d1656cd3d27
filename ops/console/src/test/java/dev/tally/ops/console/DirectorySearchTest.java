package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.ListOrgsRequest;
import org.junit.jupiter.api.Test;

/** The operator's directory search: the API's filters as it names them, the id prefix matched here, links that keep them. */
class DirectorySearchTest {

  @Test
  void theStatesAreListOrgsStatuses() {
    assertEquals(ListOrgsRequest.Status.DEPLETED, new DirectoryPage.Search("", "", "depleted", "").status());
    assertEquals(ListOrgsRequest.Status.IN_DEBT, new DirectoryPage.Search("", "", "in-debt", "").status());
    assertEquals(ListOrgsRequest.Status.STATUS_UNSPECIFIED, new DirectoryPage.Search("", "", "any", "").status());
  }

  @Test
  void aPrefixMatchesTheStartOfTheIdOnly() {
    DirectoryPage.Search search = new DirectoryPage.Search("acme-", "", "any", "");
    assertTrue(search.matches(DirectoryEntry.newBuilder().setOrgId("acme-eu").build()));
    assertFalse(search.matches(DirectoryEntry.newBuilder().setOrgId("old-acme-eu").build()));
    assertTrue(new DirectoryPage.Search("", "", "any", "").matches(DirectoryEntry.newBuilder().setOrgId("x").build()));
  }

  @Test
  void aPageLinkKeepsTheSearchEncoded() {
    String link = new DirectoryPage.Search("a&b c", "pro", "in-debt", "t1").link("next/=");
    assertEquals("/operator/orgs?q=a%26b%20c&plan=pro&status=in-debt&page=next%2F%3D#directory-h", link);
    assertEquals("/operator/orgs?q=&plan=&status=any#directory-h", new DirectoryPage.Search("", "", "any", "").link(""));
  }
}
