package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tally.node.terms.Usage;
import java.time.Duration;
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
}
