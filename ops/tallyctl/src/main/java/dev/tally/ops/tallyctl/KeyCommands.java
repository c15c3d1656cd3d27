package dev.tally.ops.tallyctl;

import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;

/** API keys: make one (shown once) and revoke one. Both need an admin key. */
final class KeyCommands {

  private KeyCommands() {}

  static void create(Invocation run) {
    CreateApiKeyRequest.Builder request = CreateApiKeyRequest.newBuilder().setRole(run.operand(0));
    run.option("org").ifPresent(request::setOrgId);
    run.option("label").ifPresent(request::setLabel);
    run.option("expires").ifPresent(time -> request.setExpiresAt(AccountCommands.timestamp("--expires", time)));
    CreateApiKeyResponse created = run.tally().read(request.getOrgId(), () -> run.tally().accounts().createApiKey(request.build()));
    if (run.out().json) {
      run.out().document(ApiJson.of(created));
      return;
    }
    run.out().line("created a " + request.getRole() + " key" + (request.getOrgId().isEmpty() ? "" : " for " + request.getOrgId())
        + "; it is shown only now:");
    run.out().line(created.getKey());
    run.out().table(new Table()
        .row("hint", created.getHint())
        .row("key id", created.getKeyId() + " (for tallyctl key revoke)"));
  }

  static void revoke(Invocation run) {
    String keyId = run.operand(0);
    run.tally().read(null, () -> {
      run.tally().accounts().revokeApiKey(keyId);
      return null;
    });
    run.out().line("revoked; every node refuses the key within its key cache TTL (TALLY_AUTH_KEY_CACHE_TTL, 5 s by default)");
  }
}
