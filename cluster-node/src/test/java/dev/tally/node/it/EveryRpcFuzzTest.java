package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.ErrorContract;
import dev.tally.v1.ErrorReason;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * 10,000 random requests over every RPC of Metering and Accounts, with an admin key so that each
 * reaches its handler, built from the protos by {@link RandomRequests} and drawn by jqwik. Whatever
 * they carry, the answer keeps the error contract: never UNKNOWN or INTERNAL, always an ErrorInfo
 * whose reason comes with the status's code, a BadRequest naming the field for INVALID_ARGUMENT; no
 * org stops answering, nothing is logged at ERROR, and an org the requests never name keeps its
 * balance and ledger.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryRpcFuzzTest {

  static final int REQUESTS = 10_000;

  InProcessNode node;
  final String control = "fuzz-control-" + UUID.randomUUID();
  final List<String> knownIds = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), "");
    createWithCredits(control);
    node.metering().reserve(ReserveRequest.newBuilder().setOrgId(control).setRequestId(id()).setAmount(MICROS_PER_CREDIT).build());
    for (String name : List.of("a", "b")) {
      String org = "fuzz-" + name + "-" + UUID.randomUUID();
      knownIds.add(org);
      knownIds.add(createWithCredits(org));
      for (int i = 0; i < 3; i++) {
        knownIds.add(node.metering().reserve(ReserveRequest.newBuilder().setOrgId(org).setRequestId(id())
            .setAmount(MICROS_PER_CREDIT).build()).getReservationId());
      }
      knownIds.add(node.accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole("metering").setOrgId(org).setRequestId(id()).build())
          .getKeyId());
    }
    knownIds.addAll(List.of("fuzz-unknown-" + UUID.randomUUID(), "rsv-1", "rsv-999999", "payg", "test", "flex",
        "enterprise", "gpt-4o", "embedding", "admin", "metering", "reader", id()));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void everyAnswerKeepsTheErrorContractAndNoOrgIsHurt() {
    GetBalanceResponse controlBalance = balance(control);
    ListLedgerResponse controlLedger = ledger(control);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(log);
    Map<String, Integer> answers = new TreeMap<>();
    List<String> broken = new ArrayList<>();
    try {
      Iterator<Call> calls = calls().sampleStream().limit(REQUESTS).iterator();
      while (calls.hasNext()) {
        Call call = calls.next();
        String answer = send(call);
        answers.merge(call.method().getBareMethodName() + " " + answer.split(":")[0], 1, Integer::sum);
        if (answer.startsWith("BROKEN") && broken.size() < 20) broken.add(answer + "\n  request: " + call.request());
      }
    } finally {
      root.detachAppender(log);
    }

    assertEquals(List.of(), broken, () -> "answers: " + answers);
    assertEquals(List.of(), log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(ILoggingEvent::getFormattedMessage).limit(10).toList(), "nothing is logged at ERROR");
    assertEquals(controlBalance, balance(control), "an org no request named keeps its balance");
    assertEquals(controlLedger, ledger(control), "and its ledger");
    assertTrue(answers.keySet().stream().anyMatch(a -> a.endsWith(" OK")), () -> "some requests succeed: " + answers);
  }

  /** A method and a request of its type, as it goes on the wire. */
  record Call(MethodDescriptor<byte[], byte[]> method, com.google.protobuf.Message request) {}

  private Arbitrary<Call> calls() {
    List<Tuple.Tuple2<Integer, MethodDescriptor<?, ?>>> methods = Stream
        .concat(MeteringGrpc.getServiceDescriptor().getMethods().stream(), AccountsGrpc.getServiceDescriptor().getMethods().stream())
        // a stream stays open until its deadline: fewer of those keep the run short
        .map(method -> Tuple.<Integer, MethodDescriptor<?, ?>>of(method.getType() == MethodType.UNARY ? 6 : 1, method))
        .toList();
    return Arbitraries.frequency(methods).flatMap(method -> Arbitraries.randomValue(random ->
        new Call(RawBytes.of(method), new RandomRequests(random, knownIds).of(inputType(method)))));
  }

  private static Descriptor inputType(MethodDescriptor<?, ?> method) {
    return ((ProtoMethodDescriptorSupplier) method.getSchemaDescriptor()).getMethodDescriptor().getInputType();
  }

  /** "OK", "CODE REASON", "STREAM OPEN" or "BROKEN: why". */
  private String send(Call call) {
    byte[] request = call.request().toByteArray();
    try {
      if (call.method().getType() == MethodType.UNARY) {
        ClientCalls.blockingUnaryCall(node.channel(), call.method(), CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
      } else {
        Iterator<byte[]> alerts = ClientCalls.blockingServerStreamingCall(
            node.channel(), call.method(), CallOptions.DEFAULT.withDeadlineAfter(100, TimeUnit.MILLISECONDS), request);
        while (alerts.hasNext()) alerts.next();
      }
      return "OK";
    } catch (StatusRuntimeException failed) {
      Status status = failed.getStatus();
      if (call.method().getType() != MethodType.UNARY && status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        return "STREAM OPEN";
      }
      return judge(status, StatusProto.fromThrowable(failed), request.length);
    }
  }

  private static String judge(Status status, com.google.rpc.Status details, int requestBytes) {
    Status.Code code = status.getCode();
    if (code == Status.Code.RESOURCE_EXHAUSTED && requestBytes > 64 * 1024 && details == null) {
      return "RESOURCE_EXHAUSTED request past 64 KiB"; // the transport's documented bound, before any handler
    }
    if (code == Status.Code.UNKNOWN || code == Status.Code.INTERNAL) return "BROKEN: " + status;
    ErrorInfo info = details == null ? null : unpack(details, ErrorInfo.class);
    ErrorReason reason = ErrorContract.reasonOf(info);
    if (reason == ErrorReason.ERROR_REASON_UNSPECIFIED) return "BROKEN: no Tally ErrorInfo in " + status;
    if (ErrorContract.codeOf(reason).getNumber() != code.value()) return "BROKEN: " + reason + " with " + status;
    if (reason == ErrorReason.TIMEOUT) return "BROKEN: an org did not answer in time: " + status;
    if (code == Status.Code.INVALID_ARGUMENT) {
      BadRequest bad = unpack(details, BadRequest.class);
      if (bad == null || bad.getFieldViolationsCount() == 0
          || bad.getFieldViolationsList().stream().anyMatch(v -> v.getField().isEmpty())) {
        return "BROKEN: INVALID_ARGUMENT without the field: " + status;
      }
    }
    return code + " " + reason;
  }

  private static <T extends com.google.protobuf.Message> T unpack(com.google.rpc.Status details, Class<T> type) {
    for (Any any : details.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return null;
  }

  /** Creates the org with 100 credits; answers the grant's id. */
  private String createWithCredits(String org) {
    node.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId(id()).setPlan("payg").build());
    return node.accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setRequestId(id())
        .setKind(GrantKind.PURCHASE).setAmount(100 * MICROS_PER_CREDIT).build()).getGrant().getGrantId();
  }

  private GetBalanceResponse balance(String org) {
    return node.metering().getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build());
  }

  private ListLedgerResponse ledger(String org) {
    return node.accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(org).build());
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }
}
