package dev.tally.ops.tallyctl;

import com.google.gson.JsonObject;
import com.google.protobuf.Duration;
import dev.tally.v1.ApiKeyInfo;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.ListApiKeysResponse;
import dev.tally.v1.RotateApiKeyRequest;
import dev.tally.v1.RotateApiKeyResponse;
import java.util.ArrayList;
import java.util.List;

/** API keys: make one (shown once), list them, rotate one and revoke one. Each needs an admin key, or an org's owner key for its org's keys. */
final class KeyCommands {

  /** The most keys ListApiKeys gives in one page. */
  private static final int KEY_PAGE = 1000;

  private KeyCommands() {}

  static void create(Invocation run) {
    String requestId = run.requestId();
    CreateApiKeyRequest.Builder request = CreateApiKeyRequest.newBuilder().setRole(run.operand(0)).setRequestId(requestId);
    run.option("org").ifPresent(request::setOrgId);
    run.option("label").ifPresent(request::setLabel);
    run.option("expires").ifPresent(time -> request.setExpiresAt(AccountCommands.timestamp("--expires", time)));
    CreateApiKeyResponse created = run.tally().change(
        request.getOrgId(), requestId, () -> run.tally().accounts().createApiKey(request.build()));
    if (run.out().json) {
      JsonObject document = ApiJson.of(created);
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    run.out().line(shownOnce(created, "created a " + request.getRole() + " key"
        + (request.getOrgId().isEmpty() ? "" : " for " + request.getOrgId())));
    if (!created.getReplayed()) run.out().line(created.getKey());
    run.out().table(new Table()
        .row("hint", created.getHint())
        .row("key id", created.getKeyId() + " (for tallyctl key rotate / key revoke)")
        .row("request id", requestId));
  }

  /** The line above a new key: it is printed only now, or, on a rerun of the same request id, it was printed by the first run only. */
  private static String shownOnce(CreateApiKeyResponse key, String what) {
    return key.getReplayed()
        ? "this request id ran before and " + what + "; the key was printed by that run only"
            + " (lost it? revoke " + key.getKeyId() + " and make another)"
        : what + "; it is shown only now:";
  }

  static void revoke(Invocation run) {
    String keyId = run.operand(0);
    run.tally().read(null, () -> {
      run.tally().accounts().revokeApiKey(keyId);
      return null;
    });
    run.out().line("revoked; every node refuses the key within its key cache TTL (TALLY_AUTH_KEY_CACHE_TTL, 5 s by default)");
  }

  static void rotate(Invocation run) {
    String keyId = run.operand(0);
    String requestId = run.requestId();
    RotateApiKeyRequest.Builder request = RotateApiKeyRequest.newBuilder().setKeyId(keyId).setRequestId(requestId);
    run.option("grace").ifPresent(text -> request.setGracePeriod(grace(text)));
    RotateApiKeyResponse rotated = run.tally().change(null, requestId, () -> run.tally().accounts().rotateApiKey(request.build()));
    if (run.out().json) {
      JsonObject document = ApiJson.of(rotated);
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    CreateApiKeyResponse successor = rotated.getNewKey();
    run.out().line(shownOnce(successor, "rotated " + keyId + " to a new key"));
    if (!successor.getReplayed()) run.out().line(successor.getKey());
    run.out().table(new Table()
        .row("hint", successor.getHint())
        .row("key id", successor.getKeyId())
        .row("old key stops", AccountCommands.time(rotated.getOldKeyRevokedAt()))
        .row("request id", requestId));
  }

  static void list(Invocation run) {
    String org = run.option("org").orElse("");
    List<ApiKeyInfo> keys = new ArrayList<>();
    String token = "";
    do {
      ListApiKeysRequest request = ListApiKeysRequest.newBuilder().setOrgId(org).setPageSize(KEY_PAGE).setPageToken(token).build();
      ListApiKeysResponse page = run.tally().read(org.isEmpty() ? null : org, () -> run.tally().accounts().listApiKeys(request));
      keys.addAll(page.getKeysList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("keys", ApiJson.of(keys));
      run.out().document(document);
      return;
    }
    Table table = new Table("KEY ID", "HINT", "ROLE", "ORG", "LABEL", "CREATED AT", "EXPIRES AT", "REVOKED AT");
    for (ApiKeyInfo key : keys) {
      table.row(key.getKeyId(), key.getHint(), key.getRole(), key.getOrgId(), key.getLabel(),
          key.hasCreatedAt() ? AccountCommands.time(key.getCreatedAt()) : "",
          key.hasExpiresAt() ? AccountCommands.time(key.getExpiresAt()) : "never",
          key.hasRevokedAt() ? AccountCommands.time(key.getRevokedAt()) : "");
    }
    run.out().table(table);
  }

  /** A grace period like 30s, 15m, 24h or 7d. */
  private static Duration grace(String text) {
    return Duration.newBuilder().setSeconds(DurationText.parse("grace", text).toSeconds()).build();
  }
}
