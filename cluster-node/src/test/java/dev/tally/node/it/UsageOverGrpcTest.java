package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.LedgerUsage;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetUsageRequest;
import dev.tally.v1.GetUsageRequest.Dimension;
import dev.tally.v1.GetUsageRequest.Granularity;
import dev.tally.v1.GetUsageResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.Labels;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.TokenUsage;
import dev.tally.v1.Usage;
import dev.tally.v1.UsageRow;
import dev.tally.v1.UsageSums;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GetUsage over real gRPC on a node with real Cassandra: calls made with two API keys of an org,
 * with labels and token usage, committed, charged and released, show in the report grouped by
 * model and by key exactly as the org's ledger adds them up; the report pages; bad queries are
 * refused with their field.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageOverGrpcTest {

  ManagedChannel admin;
  ManagedChannel plain;
  String orgId = "usage-" + UUID.randomUUID();
  Instant from;
  Instant to;
  final Map<String, String> keyIds = new HashMap<>();

  static String id() {
    return UUID.randomUUID().toString();
  }

  AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(admin).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  /** Metering as one of the org's own metering keys, named {@code name}, sees it. */
  MeteringGrpc.MeteringBlockingStub meteringAs(String name) {
    CreateApiKeyResponse made = accounts().createApiKey(CreateApiKeyRequest.newBuilder()
        .setRole("metering").setOrgId(orgId).setLabel(name).setRequestId(id()).build());
    keyIds.put(name, made.getKeyId());
    return MeteringGrpc.newBlockingStub(ClientInterceptors.intercept(plain, TestKeys.bearer(made.getKey())))
        .withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  static Labels labels(String model, String project) {
    return Labels.newBuilder().setModel(model).setProject(project).setUser("ada").build();
  }

  @BeforeAll
  void callsWithTwoKeys() {
    admin = TestNode.node().channel();
    plain = NettyChannelBuilder.forAddress("127.0.0.1", TestNode.node().grpcPort()).usePlaintext().build();
    from = Instant.now().truncatedTo(ChronoUnit.HOURS);
    to = from.plus(Duration.ofHours(2));
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setPlan("payg").build());
    accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setGrantId("g")
        .setKind(GrantKind.PROMOTION).setAmount(1_000 * MICROS_PER_CREDIT).build());
    MeteringGrpc.MeteringBlockingStub chat = meteringAs("chat");
    MeteringGrpc.MeteringBlockingStub images = meteringAs("images");
    for (int i = 0; i < 3; i++) {
      String held = chat.reserve(ReserveRequest.newBuilder().setOrgId(orgId).setRequestId(id())
          .setAmount(MICROS_PER_CREDIT).setLabels(labels("gpt-4o", "support")).build()).getReservationId();
      chat.commit(CommitRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setReservationId(held)
          .setUsage(Usage.newBuilder().setTokens(TokenUsage.newBuilder().setModel("gpt-4o").setInputTokens(1000 + i)
              .setOutputTokens(200).setCacheReadTokens(10))).build());
    }
    String failed = chat.reserve(ReserveRequest.newBuilder().setOrgId(orgId).setRequestId(id())
        .setAmount(MICROS_PER_CREDIT).setLabels(labels("gpt-4o-mini", "support")).build()).getReservationId();
    chat.release(ReleaseRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setReservationId(failed).build());
    for (int i = 0; i < 2; i++) {
      images.charge(ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount((i + 1) * 1_234)
          .setLabels(labels("dall-e", "marketing")).build());
    }
  }

  @AfterAll
  void closeChannel() {
    plain.shutdownNow();
  }

  List<LedgerEntry> ledger() {
    return accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build())
        .getEntriesList();
  }

  GetUsageRequest.Builder query() {
    return GetUsageRequest.newBuilder().setOrgId(orgId).setFrom(timestamp(from)).setTo(timestamp(to));
  }

  static Timestamp timestamp(Instant at) {
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
  }

  /** Every row of the report, page by page. */
  List<UsageRow> everyRow(GetUsageRequest.Builder request) {
    List<UsageRow> rows = new ArrayList<>();
    String token = "";
    do {
      GetUsageResponse page = accounts().getUsage(request.setPageToken(token).build());
      rows.addAll(page.getRowsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return rows;
  }

  void awaitReportUpToTheLedger() throws Exception {
    long last = ledger().stream().mapToLong(LedgerEntry::getSequenceNr).max().orElseThrow();
    Eventually.await("the report counts up to the ledger's last event", Duration.ofSeconds(60), () ->
        accounts().getUsage(query().setGranularity(Granularity.WHOLE_RANGE).build()).getAppliedSequenceNr() == last);
  }

  @Test
  void byModelAndByKeyTheReportIsWhatTheLedgerAddsUpTo() throws Exception {
    awaitReportUpToTheLedger();
    List<LedgerEntry> ledger = ledger();

    Map<String, UsageSums> byModelAndKey = new HashMap<>();
    for (UsageRow row : everyRow(query().setGranularity(Granularity.WHOLE_RANGE)
        .addGroupBy(Dimension.MODEL).addGroupBy(Dimension.API_KEY))) {
      assertEquals(timestamp(from), row.getBucketStart());
      assertEquals("", row.getProject(), "not grouped by project");
      byModelAndKey.put(row.getModel() + "/" + row.getApiKeyId(), row.getUsage());
    }
    assertEquals(LedgerUsage.sums(ledger, entry -> LedgerUsage.model(entry) + "/" + entry.getApiKeyId()), byModelAndKey);
    assertEquals(keyIds.get("chat"), ledger.stream().filter(e -> e.getType().equals("RESERVATION_RELEASED"))
        .findFirst().orElseThrow().getApiKeyId(), "a release counts under the key that reserved");
    assertEquals(Map.of("gpt-4o/" + keyIds.get("chat"), 3L, "dall-e/" + keyIds.get("images"), 2L),
        Map.of("gpt-4o/" + keyIds.get("chat"), byModelAndKey.get("gpt-4o/" + keyIds.get("chat")).getCalls(),
            "dall-e/" + keyIds.get("images"), byModelAndKey.get("dall-e/" + keyIds.get("images")).getCalls()));
    assertEquals(1, byModelAndKey.get("gpt-4o-mini/" + keyIds.get("chat")).getReleased());

    GetUsageResponse whole = accounts().getUsage(query().setGranularity(Granularity.WHOLE_RANGE).build());
    UsageSums all = LedgerUsage.sums(ledger, entry -> "").get("");
    assertEquals(all, whole.getTotals());
    assertEquals(List.of(all), whole.getRowsList().stream().map(UsageRow::getUsage).toList());
    assertTrue(all.getInputTokens() >= 3000 && all.getCharged() > 0, all.toString());

    Map<String, UsageSums> byHour = new HashMap<>();
    everyRow(query().setGranularity(Granularity.HOUR).addGroupBy(Dimension.PROJECT))
        .forEach(row -> byHour.put(row.getBucketStart().getSeconds() + "/" + row.getProject(), row.getUsage()));
    assertEquals(LedgerUsage.sums(ledger, entry -> (entry.getOccurredAt().getSeconds() / 3600 * 3600) + "/"
        + entry.getLabels().getProject()), byHour);
  }

  @Test
  void pagesOfOneRowAddUpToTheWholeReport() throws Exception {
    awaitReportUpToTheLedger();
    GetUsageRequest.Builder byEverything = query().setGranularity(Granularity.HOUR).addGroupBy(Dimension.MODEL)
        .addGroupBy(Dimension.PROJECT).addGroupBy(Dimension.USER).addGroupBy(Dimension.API_KEY)
        .addGroupBy(Dimension.CALL_TYPE);
    List<UsageRow> whole = accounts().getUsage(byEverything.build()).getRowsList();
    assertTrue(whole.size() >= 3, whole.toString());
    assertEquals(whole, everyRow(byEverything.clone().setPageSize(1)));
  }

  @Test
  void badQueriesAreRefusedWithTheirField() {
    Map<String, GetUsageRequest.Builder> bad = new HashMap<>();
    bad.put("org_id", query().setOrgId("").setGranularity(Granularity.DAY));
    bad.put("from", query().clearFrom().setGranularity(Granularity.DAY));
    bad.put("to", query().setTo(timestamp(to.plusSeconds(1))).setGranularity(Granularity.DAY));
    bad.put("granularity", query());
    bad.put("group_by", query().setGranularity(Granularity.DAY).addGroupBy(Dimension.MODEL).addGroupBy(Dimension.MODEL));
    bad.put("page_size", query().setGranularity(Granularity.DAY).setPageSize(1001));
    bad.put("page_token", query().setGranularity(Granularity.DAY).setPageToken("garbage"));
    bad.put("time_zone", query().setGranularity(Granularity.DAY).setTimeZone("Asia/Kolkata"));
    for (var request : bad.entrySet()) {
      var details = ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
          () -> accounts().getUsage(request.getValue().build()));
      assertEquals(request.getKey(), details.detail(BadRequest.class).orElseThrow().getFieldViolations(0).getField(),
          request.getValue().toString());
    }
    ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> accounts().getUsage(query()
        .setGranularity(Granularity.HOUR).setTo(timestamp(from.plus(Duration.ofDays(32)))).build()));
    ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> accounts().getUsage(query()
        .setGranularity(Granularity.DAY).setTimeZone("Mars/Olympus_Mons").build()));
    ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> accounts().getUsage(query()
        .setGranularity(Granularity.DAY).setTo(timestamp(from)).build()));
    // A zone a whole number of hours off UTC is fine, and a day bucket starts at its midnight
    GetUsageResponse berlin = accounts().getUsage(query().setGranularity(Granularity.DAY).setTimeZone("Europe/Berlin").build());
    berlin.getRowsList().forEach(row -> assertEquals(0,
        Instant.ofEpochSecond(row.getBucketStart().getSeconds()).atZone(java.time.ZoneId.of("Europe/Berlin")).getHour()));
  }
}
