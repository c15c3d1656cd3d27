package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.tally.node.account.OrgEvent.CreditsCharged;
import dev.tally.node.account.OrgEvent.CreditsGranted;
import dev.tally.node.account.OrgEvent.OrgCreated;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Cost;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Events and snapshots stored before draw order became "trial, soonest expiry, oldest" replay
 * through the configured serializer: grants that recorded their kind's former default priority
 * draw in the new order from then on, explicit priorities stay, and the draws the ledger recorded
 * stay as recorded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FormerDrawOrderReplayTest {

  final ActorTestKit testKit =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  final Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
  final Instant then = Instant.parse("2026-11-02T00:00:00Z");
  final Instant tomorrow = then.plus(Duration.ofDays(1));
  final Retention retention = new Retention(Duration.ofHours(24), 1000);

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  /** The ledger of an org from before the change: under the kinds' defaults the allocation (20) went before the pack (40). */
  List<OrgEvent> formerLedger() {
    return List.of(
        new OrgCreated("create", "acme", "Acme", "payg", then),
        new CreditsGranted("r1", Fingerprint.of("r1"), "allocation", GrantKind.SUBSCRIPTION, 10, 20, then, null, then),
        new CreditsGranted("r2", Fingerprint.of("r2"), "pack", GrantKind.PURCHASE, 10, 40, then, tomorrow, then),
        new CreditsGranted("r3", Fingerprint.of("r3"), "fix", GrantKind.ADJUSTMENT, 10, 45, then, null, then),
        new CreditsCharged("r4", Fingerprint.of("r4"), 4, List.of(new Draw("allocation", 4)), Labels.NONE, "", null, Cost.plain(4), then));
  }

  @Test
  void replayKeepsTheRecordedDrawsAndDrawsTheRestInTheNewOrder() {
    AccountState state = new AccountState.Unopened();
    for (OrgEvent event : formerLedger()) state = state.apply((OrgEvent) readAsVersionOne(event), retention);
    OpenAccount account = (OpenAccount) state;

    assertEquals(6, account.grants().get("allocation").remaining(), "the recorded draw from the allocation stays");
    assertEquals(10, account.grants().get("pack").remaining());
    assertEquals(Grants.DEFAULT_PRIORITY, account.grants().get("allocation").priority());
    assertEquals(Grants.DEFAULT_PRIORITY, account.grants().get("pack").priority());
    assertEquals(45, account.grants().get("fix").priority(), "a priority no kind had by default was an override");

    assertEquals(List.of(new Draw("fix", 10), new Draw("pack", 10), new Draw("allocation", 2)),
        account.grants().drawsFor(22, then), "the override, then the pack that expires tomorrow");
  }

  @Test
  void aFormerSnapshotReadsItsGrantsTheSameWay() {
    AccountState state = new AccountState.Unopened();
    for (OrgEvent event : formerLedger()) state = state.apply(event, retention);
    AccountSnapshot stored = AccountSnapshot.of((OpenAccount) state);

    AccountSnapshot read = (AccountSnapshot) readAsVersionOne(stored);

    List<Grant> grants = new ArrayList<>(read.grants());
    grants.sort(java.util.Comparator.comparing(Grant::grantId));
    assertEquals(List.of(Grants.DEFAULT_PRIORITY, 45, Grants.DEFAULT_PRIORITY), grants.stream().map(Grant::priority).toList(),
        "allocation, fix, pack");
    assertEquals(List.of(6L, 10L, 10L), grants.stream().map(Grant::remaining).toList());
  }

  @Test
  void formerOverridesKeepTheirMeaningAfterTheRestOrAmongTheFormerDefaults() {
    assertEquals(Grants.DEFAULT_PRIORITY, migrated("PURCHASE", 40), "a former kind default is no override");
    assertEquals(5, migrated("PURCHASE", 5), "drawn before the grants given without one, then and now");
    int last = migrated("PURCHASE", 100);
    int later = migrated("PROMOTION", 900);
    assertTrue(Grants.DEFAULT_PRIORITY < last && last < later && later <= 1000,
        "drawn after every grant given without one, then and now, in the same order: " + last + ", " + later);
    assertEquals(1000, migrated("PURCHASE", 1000));
  }

  private static int migrated(String kind, int priority) {
    ObjectNode grant = JsonNodeFactory.instance.objectNode().put("kind", kind).put("priority", priority);
    KindPriorityMigration.readFormerDefault(grant);
    return grant.get("priority").asInt();
  }

  @Test
  void whatIsStoredNowReadsBackUnchanged() {
    CreditsGranted explicitFormerDefault = new CreditsGranted("r", Fingerprint.of("r"), "pack", GrantKind.PURCHASE, 10, 40, then, null, then);
    assertTrue(manifestOf(explicitFormerDefault).endsWith("#2"), "stored as version 2");
    assertEquals(explicitFormerDefault, roundTrip(explicitFormerDefault, manifestOf(explicitFormerDefault)),
        "an override given now is never taken for a former default");
  }

  /** What a node reads from an event or snapshot stored before version 2 (whose manifest had no version). */
  private Object readAsVersionOne(Object stored) {
    String manifest = manifestOf(stored);
    return roundTrip(stored, manifest.contains("#") ? manifest.substring(0, manifest.indexOf('#')) : manifest);
  }

  private String manifestOf(Object stored) {
    return Serializers.manifestFor(serialization.findSerializerFor(stored), stored);
  }

  private Object roundTrip(Object stored, String manifest) {
    Serializer serializer = serialization.findSerializerFor(stored);
    byte[] bytes = serializer.toBinary(stored);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }
}
