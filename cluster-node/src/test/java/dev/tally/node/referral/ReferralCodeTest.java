package dev.tally.node.referral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A referral code is one org's, for good, and resolves to it; a code nobody was given resolves to none. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferralCodeTest {

  @JUnit5TestKit ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(
      ConfigFactory.parseString("pekko.actor.provider = local")
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(ConfigFactory.load())).build();

  final Clock clock = Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), ZoneOffset.UTC);

  EventSourcedBehaviorTestKit<ReferralCode.Command, ReferralCode.Assigned, ReferralCode.Owner> code(String code) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), ReferralCode.create(code, clock));
  }

  @Test
  void theFirstOrgAssignedACodeKeepsItAndItResolvesToThatOrg() {
    var code = code(ReferralCode.FORMAT.generate());
    var assigned = code.<ReferralCode.Owner>runCommand(replyTo -> new ReferralCode.Assign("acme", replyTo));
    assertEquals("acme", assigned.reply().orgId());
    assertEquals(1, assigned.events().size());

    var again = code.<ReferralCode.Owner>runCommand(replyTo -> new ReferralCode.Assign("acme", replyTo));
    assertEquals(List.of(), again.events(), "assigning again writes nothing");
    var other = code.<ReferralCode.Owner>runCommand(replyTo -> new ReferralCode.Assign("globex", replyTo));
    assertEquals("acme", other.reply().orgId(), "another org cannot take the code");
    assertEquals(List.of(), other.events());
    code.restart();
    assertEquals("acme", code.<ReferralCode.Owner>runCommand(ReferralCode.Resolve::new).reply().orgId());
  }

  @Test
  void aCodeNobodyWasGivenResolvesToNoOrgAndWritesNothing() {
    var code = code(ReferralCode.FORMAT.generate());
    var resolved = code.<ReferralCode.Owner>runCommand(ReferralCode.Resolve::new);
    assertNull(resolved.reply().orgId());
    assertEquals(List.of(), resolved.events());
  }

  @Test
  void codesAreDrawnWithAChecksumSoATypoIsNoCode() {
    String code = ReferralCode.FORMAT.generate();
    assertTrue(code.startsWith("tr_"));
    assertTrue(ReferralCode.FORMAT.wellFormed(code));
    char last = code.charAt(code.length() - 1);
    assertFalse(ReferralCode.FORMAT.wellFormed(code.substring(0, code.length() - 1) + (last == 'a' ? 'b' : 'a')));
  }
}
