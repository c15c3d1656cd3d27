package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request memory's map: persistent, looked up by key, forgotten oldest first. */
class RecentTest {

  @Test
  void entriesAreForgottenInTheOrderTheyCame() {
    Recent<Integer> recent = Recent.<Integer>empty().plus("a", 1).plus("b", 2).plus("c", 3);
    assertEquals(1, recent.oldest());
    Recent<Integer> fewer = recent.withoutOldest();
    assertNull(fewer.get("a"));
    assertEquals(2, fewer.oldest());
    assertEquals(List.of(Map.entry("b", 2), Map.entry("c", 3)), fewer.entries());
  }

  @Test
  void aChangeLeavesTheOldValueAsItWas() {
    Recent<Integer> before = Recent.<Integer>empty().plus("a", 1);
    Recent<Integer> after = before.plus("b", 2).withoutOldest();
    assertEquals(List.of(Map.entry("a", 1)), before.entries());
    assertEquals(List.of(Map.entry("b", 2)), after.entries());
    assertEquals(0, Recent.empty().size());
  }

  @Test
  void aKeyAddedAgainKeepsItsPlace() {
    Recent<Integer> recent = Recent.<Integer>empty().plus("a", 1).plus("b", 2).plus("a", 3);
    assertEquals(2, recent.size());
    assertEquals(List.of(Map.entry("a", 3), Map.entry("b", 2)), recent.entries());
  }

  @Test
  void whatWasDroppedSinceAnEarlierValueIsItsOldestEntries() {
    Recent<Integer> earlier = Recent.<Integer>empty().plus("a", 1).plus("b", 2).plus("c", 3);
    Recent<Integer> later = earlier.plus("d", 4).withoutOldest().withoutOldest();
    assertEquals(List.of(Map.entry("a", 1), Map.entry("b", 2)), later.droppedFrom(earlier));
    assertEquals(List.of(), earlier.plus("d", 4).droppedFrom(earlier));
    assertEquals(List.of(), earlier.droppedFrom(earlier));
    assertEquals(List.of(), Recent.<Integer>empty().plus("a", 1).droppedFrom(Recent.empty()));
    assertEquals(List.of(Map.entry("a", 1), Map.entry("b", 2), Map.entry("c", 3)),
        Recent.<Integer>empty().droppedFrom(earlier), "everything dropped");
  }
}
