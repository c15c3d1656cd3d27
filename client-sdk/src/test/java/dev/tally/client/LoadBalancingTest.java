package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.v1.GetBalanceResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** round_robin over a list of nodes, with health checking, against scripted nodes. */
class LoadBalancingTest {

  @Test
  void callsGoOnlyToNodesThatReportServingAndSpreadOverAllOfThem() throws Exception {
    try (FakeNode a = FakeNode.start(request -> GetBalanceResponse.getDefaultInstance());
        FakeNode b = FakeNode.start(request -> GetBalanceResponse.getDefaultInstance())) {
      b.serving(false);
      try (TallyClient tally = TallyClient.builder().nodes(a.address(), b.address()).build()) {
        for (int i = 0; i < 20; i++) tally.balance("acme");
        assertEquals(20, a.received().size());
        assertEquals(0, b.received().size(), "b reports NOT_SERVING");

        b.serving(true);
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(20));
        while (b.received().isEmpty() && Instant.now().isBefore(giveUp)) tally.balance("acme");
        assertTrue(b.received().size() > 0, "b serves again and gets calls");

        int aBefore = a.received().size();
        int bBefore = b.received().size();
        for (int i = 0; i < 20; i++) tally.balance("acme");
        assertEquals(10, a.received().size() - aBefore, "round robin alternates");
        assertEquals(10, b.received().size() - bBefore, "round robin alternates");
      }
    }
  }

  @Test
  void aNodeAddressIsHostColonPortOrABareHostOnTheDefaultPort() {
    assertEquals(new NodeAddresses.Node("10.0.0.7", 6000), NodeAddresses.Node.parse("10.0.0.7:6000", 50051));
    assertEquals(new NodeAddresses.Node("tally-1.internal", 50051), NodeAddresses.Node.parse("tally-1.internal", 50051));
    assertEquals(new NodeAddresses.Node("::1", 6000), NodeAddresses.Node.parse("[::1]:6000", 50051));
    assertEquals("[::1]:6000", NodeAddresses.Node.parse("[::1]:6000", 50051).authority());
    assertThrows(IllegalArgumentException.class, () -> NodeAddresses.Node.parse("host:http", 50051));
    assertThrows(IllegalArgumentException.class, () -> NodeAddresses.Node.parse("host:70000", 50051));
    assertThrows(IllegalArgumentException.class, () -> NodeAddresses.Node.parse(":6000", 50051));
  }

  @Test
  void aClientNeedsNodesOrATargetButNotBoth() {
    assertThrows(IllegalStateException.class, () -> TallyClient.builder().build());
    assertThrows(IllegalStateException.class,
        () -> TallyClient.builder().nodes("127.0.0.1:1").target("dns:///localhost:1").build());
  }
}
