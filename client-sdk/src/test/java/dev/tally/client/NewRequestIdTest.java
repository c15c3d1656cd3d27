package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The SDK's request ids are UUIDv7s naming when they were made, which the node reads (metering.proto). */
class NewRequestIdTest {

  @Test
  void aRequestIdIsAUuidV7NamingTheMillisecondItWasMadeAndNoTwoAreAlike() {
    Set<String> made = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      long before = System.currentTimeMillis();
      String id = ProtoMapping.newRequestId();
      long after = System.currentTimeMillis();

      UUID uuid = UUID.fromString(id);
      assertEquals(id, uuid.toString(), "canonical form, lower case");
      assertEquals(7, uuid.version());
      assertEquals(2, uuid.variant(), "RFC 9562's variant");
      long named = uuid.getMostSignificantBits() >>> 16;
      assertTrue(before <= named && named <= after, named + " outside [" + before + ", " + after + "]");
      assertTrue(made.add(id), "made twice: " + id);
    }
  }
}
