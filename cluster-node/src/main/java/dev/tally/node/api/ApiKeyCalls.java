package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.auth.Principal;
import dev.tally.v1.ApiKeyInfo;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.ListApiKeysResponse;
import dev.tally.v1.RevokeApiKeyRequest;
import dev.tally.v1.RevokeApiKeyResponse;
import dev.tally.v1.RotateApiKeyRequest;
import dev.tally.v1.RotateApiKeyResponse;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Accounts' API key calls (CreateApiKey, RevokeApiKey, RotateApiKey, ListApiKeys): each request's
 * fields checked, the {@link ApiKeyRegistry} asked, its answer or refusal sent.
 */
final class ApiKeyCalls {

  private final ApiKeyRegistry keys;
  private final Clock clock;

  /** @param clock against which a new key's expiry must lie in the future */
  ApiKeyCalls(ApiKeyRegistry keys, Clock clock) {
    this.keys = keys;
    this.clock = clock;
  }

  void create(CreateApiKeyRequest request, StreamObserver<CreateApiKeyResponse> responses) {
    boolean admin = request.getRole().equals("admin");
    RequestChecks checks = new RequestChecks();
    Instant expiresAt = request.hasExpiresAt() ? checks.instant("expires_at", request.getExpiresAt()) : null;
    checks
        .id("request_id", request.getRequestId())
        .require(ApiKeyRegistry.ROLES.contains(request.getRole()), "role", "must be one of " + ApiKeyRegistry.ROLES)
        .text("label", request.getLabel(), RequestChecks.MAX_TEXT_LENGTH)
        .require(expiresAt == null || expiresAt.isAfter(clock.instant()), "expires_at", "must be in the future");
    if (admin) checks.require(request.getOrgId().isEmpty(), "org_id", "must be empty for an admin key (it acts on every org)");
    else checks.orgId(request.getOrgId());
    if (refuseInvalid(checks, responses)) return;
    answer(keys.create(request.getRequestId(), request.getRole(), admin ? null : request.getOrgId(), request.getLabel(),
        expiresAt), ApiKeyCalls::issued, responses);
  }

  /**
   * An owner key revokes and rotates only its own org's keys (CallRules lets no other org-bound key this far):
   * the registry is told the caller's org, null for an admin key or with keys off.
   */
  void revoke(RevokeApiKeyRequest request, StreamObserver<RevokeApiKeyResponse> responses) {
    if (refuseInvalid(new RequestChecks().keyId(request.getKeyId()), responses)) return;
    answer(keys.revoke(request.getKeyId(), Principal.currentOrgId()).thenApply(revoked -> {
      if (!revoked) throw TallyErrors.apiKeyNotFound();
      return RevokeApiKeyResponse.getDefaultInstance();
    }), response -> response, responses);
  }

  void rotate(RotateApiKeyRequest request, StreamObserver<RotateApiKeyResponse> responses) {
    RequestChecks checks = new RequestChecks().keyId(request.getKeyId()).id("request_id", request.getRequestId());
    Duration grace = request.hasGracePeriod() ? checks.duration("grace_period", request.getGracePeriod())
        : ApiKeyRegistry.DEFAULT_GRACE;
    checks.require(grace == null || (!grace.isNegative() && grace.compareTo(ApiKeyRegistry.MAX_GRACE) <= 0),
        "grace_period", "must be between 0 and " + ApiKeyRegistry.MAX_GRACE.toDays() + " days");
    if (refuseInvalid(checks, responses)) return;
    answer(keys.rotate(request.getRequestId(), request.getKeyId(), grace, Principal.currentOrgId()), rotated -> RotateApiKeyResponse.newBuilder()
        .setNewKey(issued(rotated.newKey()))
        .setOldKeyRevokedAt(timestamp(rotated.oldKeyRevokedAt()))
        .build(), responses);
  }

  void list(ListApiKeysRequest request, StreamObserver<ListApiKeysResponse> responses) {
    Long after = parseKeyPageToken(request.getPageToken());
    RequestChecks checks = new RequestChecks()
        .require(request.getPageSize() >= 0 && request.getPageSize() <= AccountsService.MAX_PAGE_SIZE,
            "page_size", "must be between 1 and " + AccountsService.MAX_PAGE_SIZE)
        .require(request.getPageToken().isEmpty() || after != null, "page_token", "is not a token this service gave out");
    if (!request.getOrgId().isEmpty()) checks.orgId(request.getOrgId());
    if (refuseInvalid(checks, responses)) return;
    int pageSize = request.getPageSize() == 0 ? AccountsService.DEFAULT_PAGE_SIZE : request.getPageSize();
    answer(keys.list(request.getOrgId().isEmpty() ? null : request.getOrgId(), pageSize, after), page -> {
      ListApiKeysResponse.Builder response = ListApiKeysResponse.newBuilder();
      for (ApiKeyRegistry.Listed key : page.keys()) {
        ApiKeyInfo.Builder info = ApiKeyInfo.newBuilder()
            .setKeyId(nullToEmpty(key.keyId()))
            .setHint(nullToEmpty(key.hint()))
            .setRole(key.role())
            .setOrgId(nullToEmpty(key.orgId()))
            .setLabel(nullToEmpty(key.label()));
        if (key.createdAt() != null) info.setCreatedAt(timestamp(key.createdAt()));
        if (key.expiresAt() != null) info.setExpiresAt(timestamp(key.expiresAt()));
        if (key.revokedAt() != null) info.setRevokedAt(timestamp(key.revokedAt()));
        response.addKeys(info);
      }
      if (page.after() != null) response.setNextPageToken(Long.toString(page.after()));
      return response.build();
    }, responses);
  }

  private static CreateApiKeyResponse issued(ApiKeyRegistry.Issued issued) {
    return CreateApiKeyResponse.newBuilder()
        .setKey(issued.key()).setHint(issued.hint()).setKeyId(issued.keyId()).setReplayed(issued.replayed()).build();
  }

  /** Sends what a key call answered, or its failure as a status. */
  private static <T, R> void answer(CompletionStage<T> answered, Function<T, R> response, StreamObserver<R> responses) {
    answered.whenComplete((result, failure) -> {
      if (failure != null) {
        responses.onError(TallyErrors.failure(failure));
        return;
      }
      responses.onNext(response.apply(result));
      responses.onCompleted();
    });
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }

  /** A key listing's page token is the position to read after; null when it is not one. */
  private static Long parseKeyPageToken(String token) {
    try {
      return token.isEmpty() ? null : Long.valueOf(token);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
