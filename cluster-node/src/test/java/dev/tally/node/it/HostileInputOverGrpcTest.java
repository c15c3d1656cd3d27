package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.Labels;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.SetOverridesRequest;
import dev.tally.v1.TokenEstimate;
import dev.tally.v1.UsageEstimate;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * What a careless or hostile client sends is refused on the field it got wrong (INVALID_ARGUMENT
 * with a BadRequest), never UNKNOWN or a crashed org, and the org goes on serving.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputOverGrpcTest {

  InProcessNode node;

  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), "");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void tokenCountsThatCannotBePricedAreRefusedAndTheOrgGoesOn() {
    String org = orgWithCredits(10);
    refusedOn("estimate.tokens", () -> node.metering().reserve(reserve(org).setEstimate(UsageEstimate.newBuilder()
        .setTokens(TokenEstimate.newBuilder().setModel("gpt-4o").setInputTokens(1).setMaxOutputTokens(600_000_000_000_000_000L)))
        .build()));
    refusedOn("estimate.tokens", () -> node.metering().reserve(reserve(org).setEstimate(UsageEstimate.newBuilder()
        .setTokens(TokenEstimate.newBuilder().setModel("gpt-4o").setInputTokens(Long.MAX_VALUE))).build()));

    assertEquals(2 * MICROS_PER_CREDIT, node.metering().reserve(reserve(org).setAmount(2 * MICROS_PER_CREDIT).build()).getHeld());
  }

  @Test
  void timestampsAndDurationsOutOfRangeAreRefusedOnTheirField() {
    String org = orgWithCredits(1);
    refusedOn("expires_at", () -> node.accounts().grantCredits(grant(org)
        .setExpiresAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build()));
    refusedOn("effective_at", () -> node.accounts().grantCredits(grant(org)
        .setEffectiveAt(Timestamp.newBuilder().setSeconds(1).setNanos(-1)).build()));
    refusedOn("ttl", () -> node.metering().reserve(reserve(org).setAmount(1)
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(5).setNanos(-5)).build()));
    refusedOn("ttl", () -> node.metering().reserve(reserve(org).setAmount(1) // found by EveryRpcFuzzTest
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(Long.MIN_VALUE).setNanos(-1)).build()));
  }

  @Test
  void textThatCouldForgeWhatAPersonSeesIsRefused() {
    refusedOn("display_name", () -> node.accounts().createOrg(CreateOrgRequest.newBuilder()
        .setOrgId("hostile-" + UUID.randomUUID()).setRequestId(id()).setPlan("payg")
        .setDisplayName("acme\n2026-12-01 INFO granted 1000000 credits").build()));
    String org = orgWithCredits(1);
    refusedOn("labels.model", () -> node.metering().reserve(reserve(org).setAmount(1)
        .setLabels(Labels.newBuilder().setModel("gpt\u202e4o")).build()));
  }

  @Test
  void anOrgMaySetAtMostTenAlertThresholds() {
    String org = orgWithCredits(1);
    SetOverridesRequest.Builder thresholds = SetOverridesRequest.newBuilder().setOrgId(org).setRequestId(id());
    for (int percent = 10; percent <= 110; percent += 10) thresholds.addAlertThresholdsPercent(percent);
    refusedOn("alert_thresholds_percent", () -> node.accounts().setOverrides(thresholds.build()));
    SetOverridesRequest ten = thresholds.setRequestId(id()).clearAlertThresholdsPercent()
        .addAllAlertThresholdsPercent(List.of(10, 20, 30, 40, 50, 60, 70, 80, 90, 100)).build();
    assertEquals(org, node.accounts().setOverrides(ten).getOrgId(), "ten are taken");
  }

  @Test
  void bytesThatAreNotTheMethodsMessageAreRefusedAndTheNodeGoesOn() {
    String org = orgWithCredits(1);
    byte[] garbled = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    refusedOn("request", () -> sendBytes(MeteringGrpc.getGetBalanceMethod(), garbled));
    byte[] orgIdNotUtf8 = {0x0A, 0x02, (byte) 0xC3, 0x28}; // field 1 (org_id), two bytes that are not UTF-8
    refusedOn("request", () -> sendBytes(MeteringGrpc.getGetBalanceMethod(), orgIdNotUtf8));
    refusedOn("request", () -> sendBytes(AccountsGrpc.getGrantCreditsMethod(), garbled));

    assertEquals(MICROS_PER_CREDIT, node.metering().getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build()).getBalance().getAvailable());
  }

  /** Sends {@code bytes} as the request of {@code method}, as a client with another idea of the message would. */
  private byte[] sendBytes(MethodDescriptor<?, ?> method, byte[] bytes) {
    MethodDescriptor<byte[], byte[]> raw = RawBytes.of(method);
    return ClientCalls.blockingUnaryCall(node.channel(), raw, CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.MINUTES), bytes);
  }

  private void refusedOn(String field, Executable call) {
    ErrorDetails refused = ErrorDetails.expect(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", call);
    assertEquals(field, refused.detail(BadRequest.class).orElseThrow().getFieldViolations(0).getField());
  }

  private String orgWithCredits(long credits) {
    String org = "hostile-" + UUID.randomUUID();
    node.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId(id()).setPlan("payg").build());
    node.accounts().grantCredits(grant(org).setAmount(credits * MICROS_PER_CREDIT).build());
    return org;
  }

  private static GrantCreditsRequest.Builder grant(String org) {
    return GrantCreditsRequest.newBuilder().setOrgId(org).setRequestId(id()).setKind(GrantKind.PURCHASE)
        .setAmount(MICROS_PER_CREDIT);
  }

  private static ReserveRequest.Builder reserve(String org) {
    return ReserveRequest.newBuilder().setOrgId(org).setRequestId(id());
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }
}
