package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.BadRequest;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.AccountsGrpc.AccountsBlockingStub;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.ClusterMember;
import dev.tally.v1.LeaveClusterRequest;
import dev.tally.v1.ListClusterMembersRequest;
import dev.tally.v1.ListClusterMembersResponse;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Only an admin key lists the cluster's members (Accounts.ListClusterMembers) or makes a node leave: Pekko Management's HTTP routes are read-only, and
 * Accounts.LeaveCluster refuses every other caller. Nothing here makes a node leave (ReadinessTest
 * and tallyctl's LeaveTest do, with the admin key); each test ends with the second node still an Up member.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaveClusterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private NodeProcess first;
  private NodeProcess second;
  private ManagedChannel channel;

  @BeforeAll
  void startASecondNode() throws Exception {
    first = TestNode.node();
    second = NodeProcess.start(TestCassandra.server(), first);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", first.grpcPort()).usePlaintext().build();
    assertTrue(ReadinessTest.eventually(() -> NodeProcess.httpStatus(second.managementPort(), "/ready"), 200),
        "the second node became ready");
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow();
    second.close();
  }

  @Test
  void anAnonymousLeaveDownOrRemoveOverManagementHttpIsRefusedAndTheNodeStays() throws Exception {
    String member = second.clusterAddress();
    for (NodeProcess asked : List.of(first, second)) {
      for (String operation : List.of("Leave", "Down")) {
        int status = send(asked, "PUT", member, "operation=" + operation);
        assertEquals(405, status, "PUT operation=" + operation + " on " + asked.address() + "'s management API");
      }
      assertEquals(405, send(asked, "DELETE", member, null), "DELETE on " + asked.address() + "'s management API");
    }
    assertSecondStaysAnUpMember();
  }

  @Test
  void leaveClusterWithoutAKeyOrWithAKeyThatIsNotAdminIsRefusedAndTheNodeStays() throws Exception {
    String org = "leave-" + UUID.randomUUID();
    LeaveClusterRequest leave = LeaveClusterRequest.newBuilder().setMember(second.clusterAddress()).build();

    ErrorDetails.expect(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED",
        () -> AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).leaveCluster(leave));
    for (String role : List.of("reader", "metering")) {
      String key = admin().createApiKey(CreateApiKeyRequest.newBuilder().setRole(role).setOrgId(org).setRequestId(UUID.randomUUID().toString()).build()).getKey();
      ErrorDetails.expect(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> withKey(key).leaveCluster(leave));
    }
    assertSecondStaysAnUpMember();
  }

  @Test
  void leaveClusterNeedsTheNameOfAMember() throws Exception {
    assertEquals(List.of("member"), violatedFields(""));
    assertEquals(List.of("member"), violatedFields("127.0.0.1:25520\n"));
    assertEquals(List.of("member"), violatedFields("pekko://tally@" + "x".repeat(120) + ":25520"));
    for (String nobody : List.of("pekko://tally@127.0.0.1:1", "tally@127.0.0.1:1", "127.0.0.1:1")) {
      ErrorDetails refused = ErrorDetails.expect(Status.Code.NOT_FOUND, "MEMBER_NOT_FOUND",
          () -> admin().leaveCluster(LeaveClusterRequest.newBuilder().setMember(nobody).build()));
      assertEquals("no member " + nobody + " in the cluster", refused.status().getMessage());
    }
    assertSecondStaysAnUpMember();
  }

  @Test
  void listClusterMembersShowsBothNodesUpAndTheAnsweringNodesOwnReadiness() throws Exception {
    ListClusterMembersResponse listed = admin().listClusterMembers(ListClusterMembersRequest.getDefaultInstance());

    assertEquals(first.clusterAddress(), listed.getAnsweredBy());
    assertEquals(List.of(first.clusterAddress(), second.clusterAddress()).stream().sorted().toList(),
        listed.getMembersList().stream().map(ClusterMember::getAddress).toList(), "every member, sorted by address");
    assertTrue(listed.getMembersList().stream().map(ClusterMember::getAddress).toList().contains(listed.getLeader()),
        "the leader is a member: " + listed.getLeader());
    for (ClusterMember member : listed.getMembersList()) {
      boolean answering = member.getAddress().equals(first.clusterAddress());
      assertEquals(ClusterMember.Status.UP, member.getStatus(), member::toString);
      assertTrue(member.getReachable(), member::toString);
      assertTrue(member.getRolesList().contains("dc-default"), member::toString);
      assertEquals("default", member.getDataCenter());
      assertEquals(answering, member.getAnswering(), member::toString);
      // The answering node knows its own gRPC health; of an Up, reachable other member only that it is not known here.
      assertEquals(answering ? ClusterMember.Readiness.READY : ClusterMember.Readiness.NOT_KNOWN_HERE, member.getReadiness(),
          member::toString);
    }
  }

  @Test
  void listClusterMembersWithoutAKeyOrWithAKeyThatIsNotAdminIsRefused() {
    String org = "members-" + UUID.randomUUID();
    ListClusterMembersRequest list = ListClusterMembersRequest.getDefaultInstance();

    ErrorDetails.expect(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED",
        () -> AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).listClusterMembers(list));
    for (String role : List.of("reader", "metering")) {
      String key = admin().createApiKey(CreateApiKeyRequest.newBuilder().setRole(role).setOrgId(org)
          .setRequestId(UUID.randomUUID().toString()).build()).getKey();
      ErrorDetails.expect(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> withKey(key).listClusterMembers(list));
    }
  }

  private List<String> violatedFields(String member) {
    ErrorDetails invalid = ErrorDetails.expect(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> admin().leaveCluster(LeaveClusterRequest.newBuilder().setMember(member).build()));
    return invalid.detail(BadRequest.class).orElseThrow().getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).toList();
  }

  private AccountsBlockingStub admin() {
    return withKey(TestKeys.ADMIN);
  }

  private AccountsBlockingStub withKey(String key) {
    return AccountsGrpc.newBlockingStub(ClientInterceptors.intercept(channel, TestKeys.bearer(key)))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** The second node runs, is ready, and the first node sees it Up. */
  private void assertSecondStaysAnUpMember() throws IOException {
    assertTrue(second.isAlive(), "the second node's process runs");
    assertEquals(200, NodeProcess.httpStatus(second.managementPort(), "/ready"), "the second node is ready");
    JsonNode members = JSON.readTree(NodeProcess.httpBody(first.managementPort(), "/cluster/members")).get("members");
    String status = StreamSupport.stream(members.spliterator(), false)
        .filter(member -> member.get("node").asText().equals(second.clusterAddress()))
        .map(member -> member.get("status").asText())
        .findFirst().orElse("not a member");
    assertEquals("Up", status, "the second node as the first sees it");
  }

  /** An HTTP request to a node's management API about {@code member}, as anyone on the network could send; its status. */
  private int send(NodeProcess node, String method, String member, String form) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + node.managementPort() + "/cluster/members/"
        + URLEncoder.encode(member, StandardCharsets.UTF_8));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    if (form == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/x-www-form-urlencoded")
          .method(method, HttpRequest.BodyPublishers.ofString(form));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
