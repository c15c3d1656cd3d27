package dev.tally.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tally.node.notify.WebhookEndpoints.Reply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One org's webhook endpoints: bounded, a creation or rotation resent by request id changes nothing,
 * and a rotation keeps the old secret for its overlap only. The testkit checks that every command,
 * event, reply and state survives CBOR serialization.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEndpointsTest {

  static final Config CONFIG = ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(EventSourcedBehaviorTestKit.config())
      .withFallback(ConfigFactory.load());
  static final Instant START = Instant.parse("2026-12-05T10:00:00Z");

  @JUnit5TestKit ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  final AtomicReference<Instant> now = new AtomicReference<>(START);
  EventSourcedBehaviorTestKit<WebhookEndpoints.Command, EndpointEvent, OrgEndpoints> org;

  Clock clock() {
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
  }

  @BeforeEach
  void freshOrg() {
    now.set(START);
    org = EventSourcedBehaviorTestKit.create(testKit.system(), WebhookEndpoints.create("acme", clock()));
  }

  Reply ask(Function<ActorRef<Reply>, WebhookEndpoints.Command> command) {
    CommandResultWithReply<WebhookEndpoints.Command, EndpointEvent, OrgEndpoints, Reply> result = org.runCommand(command::apply);
    return result.reply();
  }

  Reply create(String id, String requestId, String url) {
    return ask(replyTo -> new WebhookEndpoints.Create(id, requestId, url, Set.of(EventType.CREDITS_GRANTED), "billing", true,
        "whsec_" + id, replyTo));
  }

  Endpoint endpoint(String id) {
    return org.getState().withId(id).orElseThrow();
  }

  @Test
  void anEndpointIsCreatedOnceAndAResendOfItsRequestIdChangesNothing() {
    Reply.Created created = assertInstanceOf(Reply.Created.class, create("we_1", "r1", "https://a.example/h"));
    assertFalse(created.replayed());
    assertEquals(List.of("whsec_we_1"), created.endpoint().secretsAt(START).stream().map(Endpoint.Secret::secret).toList());
    Reply.Created again = assertInstanceOf(Reply.Created.class, create("we_other", "r1", "https://a.example/h"));
    assertTrue(again.replayed());
    assertEquals("we_1", again.endpoint().endpointId());
    assertInstanceOf(Reply.RequestIdReused.class, create("we_2", "r1", "https://b.example/h"));
    assertEquals(1, org.getState().endpoints().size());
  }

  @Test
  void anOrgHasAtMostSixteenEndpoints() {
    for (int i = 0; i < OrgEndpoints.MAX_ENDPOINTS; i++) {
      assertInstanceOf(Reply.Created.class, create("we_" + i, "r" + i, "https://a.example/" + i));
    }
    Reply.Full full = assertInstanceOf(Reply.Full.class, create("we_17", "r17", "https://a.example/17"));
    assertEquals(16, full.max());
    assertInstanceOf(Reply.Changed.class, ask(replyTo -> new WebhookEndpoints.Delete("we_3", replyTo)));
    assertInstanceOf(Reply.Created.class, create("we_17", "r17", "https://a.example/17"));
  }

  @Test
  void anUpdateChangesOnlyWhatItGives() {
    create("we_1", "r1", "https://a.example/h");
    now.set(START.plusSeconds(60));
    Reply.Changed changed = assertInstanceOf(Reply.Changed.class, ask(
        replyTo -> new WebhookEndpoints.Update("we_1", null, Set.of(), null, false, replyTo)));
    assertEquals("https://a.example/h", changed.endpoint().url());
    assertEquals(Set.of(), changed.endpoint().eventTypes());
    assertTrue(changed.endpoint().subscribesTo(EventType.GRANT_EXPIRED));
    assertFalse(changed.endpoint().enabled());
    assertEquals("billing", changed.endpoint().description());
    assertEquals(START.plusSeconds(60), changed.endpoint().updatedAt());
  }

  @Test
  void changesOfAnUnknownEndpointAreNotFound() {
    assertInstanceOf(Reply.NotFound.class, ask(replyTo -> new WebhookEndpoints.Delete("we_9", replyTo)));
    assertInstanceOf(Reply.NotFound.class, ask(
        replyTo -> new WebhookEndpoints.Rotate("we_9", "rot", "whsec_x", Duration.ofHours(1), replyTo)));
  }

  Reply rotate(String requestId, String secret, Duration overlap) {
    return ask(replyTo -> new WebhookEndpoints.Rotate("we_1", requestId, secret, overlap, replyTo));
  }

  List<String> secretsAt(Instant at) {
    return endpoint("we_1").secretsAt(at).stream().map(Endpoint.Secret::secret).toList();
  }

  @Test
  void aRotatedOutSecretSignsBesideTheNewOneForTheOverlapOnly() {
    create("we_1", "r1", "https://a.example/h");
    now.set(START.plusSeconds(10));
    Reply.Rotated rotated = assertInstanceOf(Reply.Rotated.class, rotate("rot1", "whsec_new", Duration.ofHours(24)));
    assertFalse(rotated.replayed());
    assertEquals(List.of("whsec_new", "whsec_we_1"), secretsAt(START.plusSeconds(10)));
    assertEquals(List.of("whsec_new", "whsec_we_1"), secretsAt(START.plusSeconds(10).plus(Duration.ofHours(24)).minusNanos(1)));
    assertEquals(List.of("whsec_new"), secretsAt(START.plusSeconds(10).plus(Duration.ofHours(24))));
    assertTrue(assertInstanceOf(Reply.Rotated.class, rotate("rot1", "whsec_newer", Duration.ofHours(24))).replayed());
    assertEquals(List.of("whsec_new", "whsec_we_1"), secretsAt(START.plusSeconds(10)));
  }

  @Test
  void aSecondRotationDropsTheOldestSecretAndAZeroOverlapStopsTheOldOneAtOnce() {
    create("we_1", "r1", "https://a.example/h");
    rotate("rot1", "whsec_second", Duration.ofHours(24));
    rotate("rot2", "whsec_third", Duration.ofHours(24));
    assertEquals(List.of("whsec_third", "whsec_second"), secretsAt(START));
    rotate("rot3", "whsec_fourth", Duration.ZERO);
    assertEquals(List.of("whsec_fourth"), secretsAt(START));
  }

  @Test
  void theEndpointsSurviveARestart() {
    create("we_1", "r1", "https://a.example/h");
    rotate("rot1", "whsec_second", Duration.ofHours(24));
    OrgEndpoints before = org.getState();
    org.restart();
    assertEquals(before, org.getState());
  }
}
