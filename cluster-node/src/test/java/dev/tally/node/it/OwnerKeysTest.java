package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.rpc.BadRequest;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ApiKeyInfo;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.RevokeApiKeyRequest;
import dev.tally.v1.RotateApiKeyRequest;
import dev.tally.v1.RotateApiKeyResponse;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An org's owner key over real gRPC on a node process: it manages its own org's API keys (makes metering,
 * reader and owner keys, lists, rotates and revokes them) and nothing beyond them: no admin key, no key
 * of another org, no key an admin made for no org; to it those are not there.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnerKeysTest {

  private ManagedChannel channel;

  @BeforeAll
  void connect() {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", TestNode.node().grpcPort()).usePlaintext().build();
  }

  @AfterAll
  void disconnect() {
    channel.shutdownNow();
  }

  private AccountsGrpc.AccountsBlockingStub accountsWith(String key) {
    return AccountsGrpc.newBlockingStub(ClientInterceptors.intercept(channel, TestKeys.bearer(key)))
        .withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  private AccountsGrpc.AccountsBlockingStub admin() {
    return accountsWith(TestKeys.ADMIN);
  }

  private String newOrg() {
    String org = "owned-" + UUID.randomUUID();
    admin().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId("create").setPlan("payg").build());
    return org;
  }

  private static CreateApiKeyRequest key(String role, String org) {
    return CreateApiKeyRequest.newBuilder().setRole(role).setOrgId(org).setLabel(role + " of " + org)
        .setRequestId(UUID.randomUUID().toString()).build();
  }

  /** GetBalance of {@code org} with {@code key}: OK or the refusal's code. */
  private Status.Code balanceWith(String key, String org) {
    try {
      MeteringGrpc.newBlockingStub(ClientInterceptors.intercept(channel, TestKeys.bearer(key)))
          .withDeadlineAfter(1, TimeUnit.MINUTES).getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void anOwnerKeyMakesListsRotatesAndRevokesItsOrgsKeys() {
    String org = newOrg();
    CreateApiKeyResponse ownerKey = admin().createApiKey(key("owner", org));
    AccountsGrpc.AccountsBlockingStub owner = accountsWith(ownerKey.getKey());

    CreateApiKeyResponse reader = owner.createApiKey(key("reader", org));
    CreateApiKeyResponse metering = owner.createApiKey(key("metering", org));
    CreateApiKeyResponse secondOwner = owner.createApiKey(key("owner", org));
    assertEquals(Status.Code.OK, balanceWith(reader.getKey(), org));
    assertEquals(Status.Code.OK, balanceWith(metering.getKey(), org));
    assertEquals(Status.Code.OK, balanceWith(ownerKey.getKey(), org), "an owner key reads what its org's keys read");

    List<ApiKeyInfo> listed = owner.listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(org).build()).getKeysList();
    assertEquals(List.of(ownerKey.getKeyId(), reader.getKeyId(), metering.getKeyId(), secondOwner.getKeyId()).stream().sorted().toList(),
        listed.stream().map(ApiKeyInfo::getKeyId).sorted().toList());
    assertTrue(listed.stream().allMatch(info -> info.getOrgId().equals(org)));

    RotateApiKeyResponse rotated = owner.rotateApiKey(RotateApiKeyRequest.newBuilder().setKeyId(reader.getKeyId())
        .setRequestId(UUID.randomUUID().toString()).setGracePeriod(Durations.fromSeconds(0)).build());
    assertEquals(Status.Code.OK, balanceWith(rotated.getNewKey().getKey(), org));
    owner.revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(metering.getKeyId()).build());
    // The node that revoked it forgets it at once.
    assertEquals(Status.Code.UNAUTHENTICATED, balanceWith(metering.getKey(), org));
  }

  @Test
  void anOwnerKeyMakesNoAdminKeyAndNoKeyOfAnotherOrg() {
    String org = newOrg();
    String otherOrg = newOrg();
    AccountsGrpc.AccountsBlockingStub owner = accountsWith(admin().createApiKey(key("owner", org)).getKey());

    ErrorDetails.expect(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> owner.createApiKey(key("admin", "")));
    ErrorDetails admin = ErrorDetails.expect(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> owner.createApiKey(key("admin", org)));
    assertEquals(List.of("org_id"), admin.detail(BadRequest.class).orElseThrow().getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).toList());
    for (String role : List.of("metering", "reader", "owner")) {
      ErrorDetails.expect(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> owner.createApiKey(key(role, otherOrg)));
    }
    ErrorDetails.expect(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> owner.listApiKeys(ListApiKeysRequest.newBuilder().build()));
    ErrorDetails.expect(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> owner.listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(otherOrg).build()));
    assertEquals(Status.Code.PERMISSION_DENIED, balanceWith(
        admin().createApiKey(key("owner", org)).getKey(), otherOrg), "an owner key acts for its org only");
    assertEquals(List.of(), admin().listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(otherOrg).build()).getKeysList());
  }

  @Test
  void anotherOrgsKeyAndAnAdminKeyAreNotThereForAnOwnerKey() {
    String org = newOrg();
    String otherOrg = newOrg();
    AccountsGrpc.AccountsBlockingStub owner = accountsWith(admin().createApiKey(key("owner", org)).getKey());
    CreateApiKeyResponse theirs = admin().createApiKey(key("metering", otherOrg));
    CreateApiKeyResponse operators = admin().createApiKey(key("admin", ""));

    for (CreateApiKeyResponse target : List.of(theirs, operators)) {
      ErrorDetails.expect(Status.Code.NOT_FOUND, "API_KEY_NOT_FOUND",
          () -> owner.revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(target.getKeyId()).build()));
      ErrorDetails.expect(Status.Code.NOT_FOUND, "API_KEY_NOT_FOUND", () -> owner.rotateApiKey(RotateApiKeyRequest.newBuilder()
          .setKeyId(target.getKeyId()).setRequestId(UUID.randomUUID().toString()).build()));
    }
    assertEquals(Status.Code.OK, balanceWith(theirs.getKey(), otherOrg), "another org's key still works");
    assertEquals(Status.Code.OK, balanceWith(operators.getKey(), otherOrg), "the admin key still works");

    // An operator's rotation of the other org's key, then the owner resending it word for word: nothing of it,
    // not even the new key's hint, comes back.
    String requestId = UUID.randomUUID().toString();
    RotateApiKeyRequest rotation = RotateApiKeyRequest.newBuilder().setKeyId(theirs.getKeyId()).setRequestId(requestId)
        .setGracePeriod(Durations.fromMillis(Duration.ofHours(1).toMillis())).build();
    RotateApiKeyResponse rotatedByOperator = admin().rotateApiKey(rotation);
    ErrorDetails resent = ErrorDetails.expect(Status.Code.NOT_FOUND, "API_KEY_NOT_FOUND", () -> owner.rotateApiKey(rotation));
    assertFalse(resent.status().toString().contains(rotatedByOperator.getNewKey().getHint()));
    assertFalse(resent.status().toString().contains(rotatedByOperator.getNewKey().getKeyId()));
  }
}
