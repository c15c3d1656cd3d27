package dev.tally.node.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A label lists each of its batches once, oldest first, page by page, and the same after recovery. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CodeLabelTest {

  static final Config CONFIG = ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(EventSourcedBehaviorTestKit.config())
      .withFallback(ConfigFactory.load());

  @JUnit5TestKit ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  EventSourcedBehaviorTestKit<CodeLabel.Command, CodeLabel.Listed, CodeLabel.State> label() {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        CodeLabel.create(UUID.randomUUID().toString(), Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), ZoneOffset.UTC)));
  }

  static boolean add(EventSourcedBehaviorTestKit<CodeLabel.Command, CodeLabel.Listed, CodeLabel.State> label, String batchId) {
    return label.<CodeLabel.Added>runCommand(replyTo -> new CodeLabel.Add(batchId, replyTo)).reply().listed();
  }

  static CodeLabel.Batches read(
      EventSourcedBehaviorTestKit<CodeLabel.Command, CodeLabel.Listed, CodeLabel.State> label, int from, int limit) {
    return label.<CodeLabel.Batches>runCommand(replyTo -> new CodeLabel.Read(from, limit, replyTo)).reply();
  }

  @Test
  void aBatchIsListedOnceInTheOrderBatchesWereMadeAndReadAPageAtATime() {
    var label = label();
    assertTrue(add(label, "b1"));
    assertTrue(add(label, "b2"));
    assertTrue(add(label, "b1"), "a retried batch is listed already");
    assertTrue(add(label, "b3"));

    assertEquals(new CodeLabel.Batches(List.of("b1", "b2"), 3), read(label, 0, 2));
    assertEquals(new CodeLabel.Batches(List.of("b3"), 3), read(label, 2, 2));
    assertEquals(new CodeLabel.Batches(List.of(), 3), read(label, 3, 2));
    assertEquals(List.of("b1", "b2", "b3"), label.restart().state().batchIds());
  }
}
