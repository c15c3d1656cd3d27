package dev.tally.client;

import static dev.tally.v1.Credits.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.ApiKeyInfo;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.ErrorReason;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.RotateApiKeyRequest;
import dev.tally.v1.RotateApiKeyResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** An operator's key calls through the SDK: make a key for an org, list, rotate and revoke it. */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeysTest {

  TallyClient admin;
  Orgs orgs;

  @BeforeAll
  void connect() {
    admin = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).defaultDeadline(Duration.ofSeconds(30)).build();
    orgs = new Orgs(admin.accounts());
  }

  @AfterAll
  void disconnect() {
    admin.close();
  }

  @Test
  void aKeyMadeListedRotatedAndRevokedThroughTheSdkWorksExactlyUntilItShouldNot() {
    String org = orgs.withCredits(of(10));
    CreateApiKeyResponse made = admin.accounts().createApiKey(
        CreateApiKeyRequest.newBuilder().setRole("metering").setOrgId(org).setLabel("sdk test").build());
    assertTrue(made.getKey().startsWith("tk_"), "the key is shown once, at creation");
    assertEquals(of(10), balanceWith(made.getKey(), org));

    List<ApiKeyInfo> listed = admin.accounts().listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(org).build()).getKeysList();
    assertEquals(List.of(made.getKeyId()), listed.stream().map(ApiKeyInfo::getKeyId).toList());
    assertEquals(made.getHint(), listed.get(0).getHint());
    assertFalse(listed.toString().contains(made.getKey()), "a listing never shows the key");

    RotateApiKeyResponse rotated = admin.accounts().rotateApiKey(RotateApiKeyRequest.newBuilder()
        .setKeyId(made.getKeyId()).setGracePeriod(Durations.fromMinutes(5)).build());
    assertEquals(of(10), balanceWith(rotated.getNewKey().getKey(), org), "the successor works");
    assertEquals(of(10), balanceWith(made.getKey(), org), "the old key works during its grace period");
    assertEquals(Set.of(made.getKeyId(), rotated.getNewKey().getKeyId()),
        admin.accounts().listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(org).build()).getKeysList().stream()
            .map(ApiKeyInfo::getKeyId).collect(Collectors.toSet()));

    admin.accounts().revokeApiKey(made.getKeyId());
    TallyException refused = assertThrows(TallyException.class, () -> balanceWith(made.getKey(), org));
    assertEquals(ErrorReason.UNAUTHENTICATED, refused.reason(), refused::toString);
    assertEquals(of(10), balanceWith(rotated.getNewKey().getKey(), org), "revoking the old key leaves its successor");
  }

  private static long balanceWith(String key, String org) {
    try (TallyClient client = TallyClient.builder().apiKey(key).nodes(TestNode.address())
        .defaultDeadline(Duration.ofSeconds(30)).build()) {
      return client.balance(org).getBalance().getAvailable();
    }
  }
}
