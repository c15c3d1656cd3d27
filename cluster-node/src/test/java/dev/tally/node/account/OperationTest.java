package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tally.node.terms.Overrides;
import dev.tally.node.terms.Usage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule 6: the fingerprint tells a retry from another request, whatever the field values. */
class OperationTest {

  @Test
  void labelsThatReadAlikeAsTextAreStillDifferentRequests() {
    var one = new Operation.Charge("req", 5, null, new Labels("x", "y, project=z", "", ""));
    var other = new Operation.Charge("req", 5, null, new Labels("x, project=y", "z", "", ""));
    assertNotEquals(one.fingerprint(), other.fingerprint());
  }

  @Test
  void tokenUsageAndACallTypeOfTheSameNameAreDifferentRequests() {
    var tokens = new Operation.Commit("req", "rsv-1", 0, new Usage.Tokens("m", 1, 2, 0, 0));
    var call = new Operation.Commit("req", "rsv-1", 0, new Usage.Call("m"));
    assertNotEquals(tokens.fingerprint(), call.fingerprint());
  }

  @Test
  void theSameRequestHasTheSameFingerprint() {
    var labels = new Labels("gpt-4o", "p", "u", "completion");
    assertEquals(
        new Operation.Reserve("req", 5, null, Duration.ofMinutes(1), labels).fingerprint(),
        new Operation.Reserve("req", 5, null, Duration.ofMinutes(1), labels).fingerprint());
  }

  @Test
  void overridesWithoutAnOwnAllocationKeepTheDigestTheyHadBeforeOverridesHadOne() {
    // The first 12 bytes of SHA-256("9'overridesOverrides{2'10-1'34'1100[1:2'50]-}"), the canonical form
    // of these overrides while they had six fields: a retry sent across the upgrade is still a retry.
    var former = new Operation.SetOverrides("req", new Overrides(10L, null, 3, 1100, List.of(50), null, null, null));
    var ownAllocation = new Operation.SetOverrides("req", new Overrides(10L, null, 3, 1100, List.of(50), null, 5L, null));
    var ownRollover = new Operation.SetOverrides("req", new Overrides(10L, null, 3, 1100, List.of(50), null, null, 0));
    assertEquals("91fa0f49d1628058d7428d2b", former.fingerprint());
    assertNotEquals(former.fingerprint(), ownAllocation.fingerprint());
    assertNotEquals(former.fingerprint(), ownRollover.fingerprint());
  }
}
