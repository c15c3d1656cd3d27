package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.ManyAsks;
import dev.tally.node.auth.SecretText;
import dev.tally.node.code.CodeBatch;
import dev.tally.node.code.CodeLabel;
import dev.tally.node.code.RedemptionCode.Description;
import dev.tally.node.code.RedemptionCode.Reply;
import dev.tally.node.code.RedemptionCode;
import dev.tally.v1.ListRedemptionCodesRequest;
import dev.tally.v1.ListRedemptionCodesResponse;
import dev.tally.v1.RedemptionCodeInfo;
import dev.tally.v1.VoidRedemptionBatchRequest;
import dev.tally.v1.VoidRedemptionBatchResponse;
import dev.tally.v1.VoidRedemptionCodeRequest;
import dev.tally.v1.VoidRedemptionCodeResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Accounts' calls that look after redemption codes once made: ListRedemptionCodes (hints, never
 * codes) and voiding one code or a batch, a page at a time. Each call asks at most
 * {@link #MAX_PAGE_SIZE} code entities, a few at a time ({@link ManyAsks}), so none outlasts its
 * deadline however large the batch.
 */
final class CodeAdminCalls {

  /** The most codes one call lists or voids. */
  static final int MAX_PAGE_SIZE = 100;

  private static final Pattern CODE_ID = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern BATCH_TOKEN = Pattern.compile("[0-9]{1,4}");
  private static final Pattern LABEL_TOKEN = Pattern.compile("([0-9]{1,5})\\.([0-9]{1,4})");

  private final ClusterSharding sharding;
  private final Duration timeout;

  CodeAdminCalls(ClusterSharding sharding, Duration timeout) {
    this.sharding = sharding;
    this.timeout = timeout;
  }

  /** Where a page starts: the position of its batch among the label's (0 when listing one batch) and of its first code. */
  private record Position(int batch, int code) {}

  /** One code of a page, with the batch it belongs to. */
  private record Listed(CodeBatch.Made batch, CodeBatch.Code code) {}

  void list(ListRedemptionCodesRequest request, StreamObserver<ListRedemptionCodesResponse> responses) {
    boolean byBatch = !request.getBatchId().isEmpty();
    RequestChecks checks = new RequestChecks()
        .require(byBatch != !request.getLabel().isEmpty(), "batch_id", "exactly one of batch_id and label is required")
        .text("label", request.getLabel(), RequestChecks.MAX_TEXT_LENGTH)
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE, "page_size",
            "must be between 1 and " + MAX_PAGE_SIZE + " (0 = " + MAX_PAGE_SIZE + ")");
    if (byBatch) checks.batchId("batch_id", request.getBatchId());
    Position from = position(request.getPageToken(), byBatch);
    checks.require(from != null, "page_token", "must be a next_page_token of the same listing");
    if (refuseInvalid(checks, responses)) return;
    int size = request.getPageSize() == 0 ? MAX_PAGE_SIZE : request.getPageSize();
    CompletableFuture<ListRedemptionCodesResponse> listed = byBatch
        ? batchPage(request.getBatchId(), from.code(), size)
        : labelPage(request.getLabel(), from, size);
    listed.whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  private CompletableFuture<ListRedemptionCodesResponse> batchPage(String batchId, int from, int size) {
    return made(batchId).thenCompose(made -> {
      List<CodeBatch.Code> codes = made.codes();
      int to = Math.min(codes.size(), from + size);
      List<Listed> page = new ArrayList<>();
      for (CodeBatch.Code code : codes.subList(Math.min(from, to), to)) page.add(new Listed(made, code));
      return described(page, to < codes.size() ? Integer.toString(to) : "");
    });
  }

  /** The label's batches from {@code from}, their codes in order until the page is full; at most {@code size} batches looked at. */
  private CompletableFuture<ListRedemptionCodesResponse> labelPage(String label, Position from, int size) {
    return sharding.entityRefFor(CodeLabel.ENTITY_TYPE, SecretText.sha256Hex(label))
        .<CodeLabel.Batches>ask(replyTo -> new CodeLabel.Read(from.batch(), size, replyTo), timeout).toCompletableFuture()
        .thenCompose(batches -> {
          return ManyAsks.each(batches.batchIds(), id -> batch(id).<CodeBatch.Reply>ask(CodeBatch.Get::new, timeout))
              .thenCompose(replies -> {
            List<Listed> page = new ArrayList<>();
            int batch = from.batch();
            int code = from.code();
            for (CodeBatch.Reply reply : replies) {
              CodeBatch.Made made = reply.made();
              List<CodeBatch.Code> codes = made == null ? List.of() : made.codes();
              while (code < codes.size() && page.size() < size) page.add(new Listed(made, codes.get(code++)));
              if (code < codes.size()) break;
              batch++;
              code = 0;
            }
            boolean more = batch < batches.total();
            return described(page, more ? batch + "." + code : "");
          });
        });
  }

  /** Asks each code of the page how it stands. */
  private CompletableFuture<ListRedemptionCodesResponse> described(List<Listed> page, String nextPageToken) {
    return ManyAsks.each(page, listed -> code(listed.code().sha256()).<Description>ask(RedemptionCode.Describe::new, timeout))
        .thenApply(descriptions -> {
          ListRedemptionCodesResponse.Builder response = ListRedemptionCodesResponse.newBuilder().setNextPageToken(nextPageToken);
          for (int i = 0; i < page.size(); i++) response.addCodes(info(page.get(i), descriptions.get(i)));
          return response.build();
        });
  }

  private static RedemptionCodeInfo info(Listed listed, Description description) {
    CodeBatch.Made made = listed.batch();
    RedemptionCodeInfo.Builder info = RedemptionCodeInfo.newBuilder()
        .setCodeId(listed.code().sha256())
        .setHint(listed.code().hint())
        .setBatchId(made.terms().batchId())
        .setLabel(made.terms().label())
        .setCredits(made.terms().credits())
        .setMaxRedemptions(made.terms().maxRedemptions())
        .setRedemptions(description.redemptions())
        .setCreatedAt(timestamp(made.at()));
    if (made.terms().expiresAt() != null) info.setExpiresAt(timestamp(made.terms().expiresAt()));
    if (description.voidedAt() != null) info.setVoidedAt(timestamp(description.voidedAt()));
    return info.build();
  }

  void voidCode(VoidRedemptionCodeRequest request, StreamObserver<VoidRedemptionCodeResponse> responses) {
    boolean byId = !request.getCodeId().isEmpty();
    RequestChecks checks = new RequestChecks()
        .require(byId != !request.getCode().isEmpty(), "code_id", "exactly one of code_id and code is required")
        .require(!byId || CODE_ID.matcher(request.getCodeId()).matches(), "code_id", "must be 64 lowercase hex digits")
        .require(request.getCode().length() <= CodeCalls.MAX_CODE_LENGTH, "code",
            "must be at most " + CodeCalls.MAX_CODE_LENGTH + " characters");
    if (refuseInvalid(checks, responses)) return;
    String codeId = byId ? request.getCodeId() : SecretText.sha256Hex(request.getCode());
    code(codeId).<Reply>ask(RedemptionCode.VoidCode::new, timeout).toCompletableFuture()
        .thenApply(reply -> {
          if (!(reply instanceof Reply.Voided voided)) throw TallyErrors.redemptionCodeNotFound();
          return VoidRedemptionCodeResponse.newBuilder().setCodeId(codeId).setVoidedAt(timestamp(voided.at())).build();
        })
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  void voidBatch(VoidRedemptionBatchRequest request, StreamObserver<VoidRedemptionBatchResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .batchId("batch_id", request.getBatchId())
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE, "page_size",
            "must be between 1 and " + MAX_PAGE_SIZE + " (0 = " + MAX_PAGE_SIZE + ")");
    Position from = position(request.getPageToken(), true);
    checks.require(from != null, "page_token", "must be a next_page_token of the same batch");
    if (refuseInvalid(checks, responses)) return;
    int size = request.getPageSize() == 0 ? MAX_PAGE_SIZE : request.getPageSize();
    made(request.getBatchId()).thenCompose(made -> {
      List<CodeBatch.Code> codes = made.codes();
      int to = Math.min(codes.size(), from.code() + size);
      return ManyAsks.each(codes.subList(Math.min(from.code(), to), to),
          code -> code(code.sha256()).<Reply>ask(RedemptionCode.VoidCode::new, timeout)).thenApply(replies -> VoidRedemptionBatchResponse.newBuilder()
          .setVoided((int) replies.stream().filter(reply -> reply instanceof Reply.Voided).count())
          .setNextPageToken(to < codes.size() ? Integer.toString(to) : "")
          .setBatchCodes(codes.size())
          .build());
    }).whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  /** The batch as made; fails with REDEMPTION_BATCH_NOT_FOUND when its id made none. */
  private CompletableFuture<CodeBatch.Made> made(String batchId) {
    return batch(batchId).<CodeBatch.Reply>ask(CodeBatch.Get::new, timeout).toCompletableFuture().thenApply(reply -> {
      if (reply.made() == null) throw TallyErrors.redemptionBatchNotFound(batchId);
      return reply.made();
    });
  }

  /** A page token read back, or null when it is none this listing gives; the empty token is the start. */
  private static Position position(String token, boolean byBatch) {
    if (token.isEmpty()) return new Position(0, 0);
    if (byBatch) return BATCH_TOKEN.matcher(token).matches() ? new Position(0, Integer.parseInt(token)) : null;
    var matcher = LABEL_TOKEN.matcher(token);
    return matcher.matches() ? new Position(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2))) : null;
  }

  private EntityRef<RedemptionCode.Command> code(String sha256) {
    return sharding.entityRefFor(RedemptionCode.ENTITY_TYPE, sha256);
  }

  private EntityRef<CodeBatch.Command> batch(String batchId) {
    return sharding.entityRefFor(CodeBatch.ENTITY_TYPE, batchId);
  }
}
