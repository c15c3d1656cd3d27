package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.google.protobuf.util.Durations;
import dev.tally.node.auth.ApiKey;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.RevokeApiKeyRequest;
import dev.tally.v1.RotateApiKeyRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15: no API key, nor its SHA-256, is in a node's log, in an org's events or snapshots, in the
 * ledger or in an error. A node process makes keys, uses them, rotates and revokes them, and is
 * called with wrong ones; then the test searches everything it can read for every key's text and hash.
 */
@ExtendWith(TestCassandra.class)
class KeysStayOutOfLogsAndEventsTest {

  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Every key the run used, good or bad, by what it was. */
  private final Map<String, String> keys = new LinkedHashMap<>();
  /** The ids of the keys the run made. */
  private final List<String> keyIds = new ArrayList<>();
  /** Every refusal the node sent: its status and trailers as a client sees them. */
  private final List<String> refusals = new ArrayList<>();

  @Test
  void noKeyNorItsHashIsInTheLogEventsLedgerOrErrorsOfARunThatMakesUsesRotatesAndRevokesKeys() throws Exception {
    Path logs = Files.createDirectories(Paths.get("target", "nodes", "keys-stay-out-" + UUID.randomUUID()));
    String org = "keys-out-" + UUID.randomUUID();
    String otherOrg = "keys-out-other-" + UUID.randomUUID();
    keys.put("bootstrap admin", TestKeys.ADMIN);
    NodeProcess node = NodeProcess.start(TestCassandra.server(), Map.of(), NodeProcess.testJvmOptions(), logs);
    ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
    try {
      AccountsGrpc.AccountsBlockingStub admin = accounts(plain, TestKeys.ADMIN);
      for (String id : List.of(org, otherOrg)) {
        admin.createOrg(CreateOrgRequest.newBuilder().setOrgId(id).setRequestId("open-" + id).setPlan("payg").build());
      }
      admin.grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setRequestId("grant-" + org)
          .setKind(GrantKind.PURCHASE).setAmount(10_000_000).build());

      CreateApiKeyResponse metering = create(admin, "metering", org, "create-metering-" + org);
      CreateApiKeyResponse reader = create(admin, "reader", org, "create-reader-" + org);
      CreateApiKeyResponse otherAdmin = create(admin, "admin", "", "create-admin-" + org);
      create(admin, "metering", org, "create-metering-" + org);  // a retry: replayed, no key

      // The keys at work: metering, reading, the control plane.
      MeteringGrpc.MeteringBlockingStub meter = metering(plain, metering.getKey());
      String reservation = meter.reserve(ReserveRequest.newBuilder().setOrgId(org).setRequestId("reserve-with-metering-key")
          .setAmount(2_000_000).build()).getReservationId();
      meter.commit(CommitRequest.newBuilder().setOrgId(org).setRequestId("commit-with-metering-key")
          .setReservationId(reservation).setAmount(1_000_000).build());
      meter.charge(ChargeRequest.newBuilder().setOrgId(org).setRequestId("charge-with-metering-key").setAmount(1_000).build());
      metering(plain, reader.getKey()).getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build());
      accounts(plain, otherAdmin.getKey()).listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(org).build());

      // Calls the keys may not make, and wrong keys.
      refused(() -> metering(plain, metering.getKey()).getBalance(GetBalanceRequest.newBuilder().setOrgId(otherOrg).build()));
      refused(() -> accounts(plain, reader.getKey()).grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org)
          .setRequestId("grant-by-reader").setKind(GrantKind.PURCHASE).setAmount(1).build()));
      String typo = typo(metering.getKey());
      String unknown = ApiKey.generate().secret();
      keys.put("a typo of the metering key", typo);
      keys.put("an unknown key", unknown);
      refused(() -> metering(plain, typo).getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build()));
      refused(() -> metering(plain, unknown).getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build()));
      refused(() -> MeteringGrpc.newBlockingStub(ClientInterceptors.intercept(plain, header("Basic " + metering.getKey())))
          .withDeadlineAfter(1, TimeUnit.MINUTES).getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build()));
      // An operator who pastes a key, or its hash, where its key id goes.
      refused(() -> admin.revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(otherAdmin.getKey()).build()));
      refused(() -> admin.revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(TestKeys.sha256(otherAdmin.getKey())).build()));

      // Rotation (and its retry) and revocation, then the old keys at work again.
      RotateApiKeyRequest rotate = RotateApiKeyRequest.newBuilder().setKeyId(metering.getKeyId())
          .setRequestId("rotate-metering-" + org).setGracePeriod(Durations.fromSeconds(0)).build();
      keys.put("the metering key's successor", admin.rotateApiKey(rotate).getNewKey().getKey());
      admin.rotateApiKey(rotate);
      admin.revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(reader.getKeyId()).build());
      refused(() -> metering(plain, metering.getKey()).getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build()));
      refused(() -> metering(plain, reader.getKey()).getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build()));
      refused(() -> admin.rotateApiKey(rotate.toBuilder().setRequestId("rotate-again-" + org).build()));
      refused(() -> admin.rotateApiKey(rotate.toBuilder().setGracePeriod(Durations.fromSeconds(1)).build()));

      String ledger = admin.listLedger(ListLedgerRequest.newBuilder().setOrgId(org).setPageSize(1000).build()).toString();
      assertTrue(ledger.contains("charge-with-metering-key"), "the ledger holds the calls made with the keys");
      assertEquals(List.of(), leaks("the ledger", ledger));
      assertEquals(List.of(), leaks("the refusals", String.join("\n", refusals)));
      assertTrue(refusals.size() >= 10, "every wrong call was refused: " + refusals);
    } finally {
      plain.shutdownNow();
      node.close();
    }

    String log = folder(logs);
    assertTrue(log.contains("TALLY_GRPC_READY") && log.contains("refused tally.v1.Metering/GetBalance"),
        "the log folder holds the node's log, with its refusals");
    assertEquals(List.of(), leaks("the node's log folder " + logs, log));
    try (CqlSession cql = TestCassandra.server().newSession()) {
      String events = rows(cql, "SELECT * FROM tally.messages WHERE persistence_id = ? AND partition_nr = 0", "org|" + org)
          + rows(cql, "SELECT * FROM tally_snapshot.snapshots WHERE persistence_id = ?", "org|" + org);
      assertTrue(events.contains("commit-with-metering-key"), "the org's events are read");
      assertEquals(List.of(), leaks("the org's events and snapshots", events));
      String keyTable = rows(cql, "SELECT * FROM tally.api_keys") + rows(cql, "SELECT * FROM tally.api_key_requests");
      assertTrue(keyIds.stream().allMatch(keyTable::contains), "the key tables are read");
      assertTrue(keys.values().stream().noneMatch(keyTable::contains), "the key tables hold no key, only hashes");
    }
  }

  /** The keys and hashes (lowercase or uppercase hex) found in {@code text}, named by whose they are. */
  private List<String> leaks(String where, String text) {
    List<String> found = new ArrayList<>();
    keys.forEach((whose, key) -> {
      if (text.contains(key)) found.add(whose + "'s key is in " + where);
      String sha256 = TestKeys.sha256(key);
      if (text.contains(sha256) || text.contains(sha256.toUpperCase(Locale.ROOT))) found.add(whose + "'s key hash is in " + where);
    });
    return found;
  }

  private CreateApiKeyResponse create(AccountsGrpc.AccountsBlockingStub admin, String role, String org, String requestId) {
    CreateApiKeyResponse created = admin.createApiKey(CreateApiKeyRequest.newBuilder()
        .setRole(role).setOrgId(org).setLabel("leak test " + role).setRequestId(requestId).build());
    if (!created.getReplayed()) keys.put("the " + role + " key " + created.getHint(), created.getKey());
    keyIds.add(created.getKeyId());
    return created;
  }

  private void refused(Runnable call) {
    try {
      call.run();
      throw new AssertionError("the call was not refused");
    } catch (StatusRuntimeException refusal) {
      refusals.add(refusal.getStatus() + " " + refusal.getTrailers());
    }
  }

  /** The key with its last character changed: its checksum no longer matches. */
  private static String typo(String key) {
    char last = key.charAt(key.length() - 1);
    return key.substring(0, key.length() - 1) + (last == 'x' ? 'y' : 'x');
  }

  private static AccountsGrpc.AccountsBlockingStub accounts(Channel channel, String key) {
    return AccountsGrpc.newBlockingStub(ClientInterceptors.intercept(channel, TestKeys.bearer(key)))
        .withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  private static MeteringGrpc.MeteringBlockingStub metering(Channel channel, String key) {
    return MeteringGrpc.newBlockingStub(ClientInterceptors.intercept(channel, TestKeys.bearer(key)))
        .withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  /** Sends {@code authorization: value} as it is, for headers that are not {@code Bearer <key>}. */
  private static ClientInterceptor header(String value) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(AUTHORIZATION, value);
            super.start(listener, headers);
          }
        };
      }
    };
  }

  /** Every file of the folder, as text. */
  private static String folder(Path logs) throws IOException {
    StringBuilder text = new StringBuilder();
    try (Stream<Path> files = Files.walk(logs)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        text.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      }
    }
    return text.toString();
  }

  /** Every column of every row, blobs as their bytes (CBOR keeps text as it is), as one text. */
  private static String rows(CqlSession cql, String query, Object... values) {
    StringBuilder text = new StringBuilder();
    Consumer<Row> append = row -> {
      for (int i = 0; i < row.getColumnDefinitions().size(); i++) {
        ByteBuffer bytes = row.getBytesUnsafe(i);
        if (bytes != null) {
          byte[] copy = new byte[bytes.remaining()];
          bytes.duplicate().get(copy);
          text.append(new String(copy, StandardCharsets.ISO_8859_1)).append('\n');
        }
      }
    };
    cql.execute(cql.prepare(query).bind(values)).forEach(append);
    return text.toString();
  }
}
