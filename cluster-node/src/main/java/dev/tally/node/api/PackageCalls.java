package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.node.once.Claim;
import dev.tally.node.once.ReferenceGrant;
import dev.tally.node.once.ReferenceGrant.Reply;
import dev.tally.node.terms.CreditPackage;
import dev.tally.node.terms.PackageCatalog;
import dev.tally.v1.ListPackagesRequest;
import dev.tally.v1.ListPackagesResponse;
import dev.tally.v1.Price;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.PurchasePackageResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Accounts' package calls: ListPackages reads the catalog; PurchasePackage checks the request, reads
 * the org's plan and referrer, then hands the purchase to its payment reference's {@link ReferenceGrant},
 * the one writer of that reference, which grants to the org at most once and rewards its referrer once.
 */
final class PackageCalls {

  private final OrgCalls calls;
  private final ClusterSharding sharding;
  private final PackageCatalog catalog;
  private final Duration timeout;

  /** @param timeout the longest a purchase waits for its reference's entity, which waits for the org's */
  PackageCalls(OrgBatcher batcher, ClusterSharding sharding, PackageCatalog catalog, Duration timeout) {
    this.calls = new OrgCalls(batcher);
    this.sharding = sharding;
    this.catalog = catalog;
    this.timeout = timeout;
  }

  void list(ListPackagesRequest request, StreamObserver<ListPackagesResponse> responses) {
    responses.onNext(ListPackagesResponse.newBuilder()
        .addAllPackages(catalog.inNameOrder().stream().map(PackageCalls::proto).toList())
        .build());
    responses.onCompleted();
  }

  void purchase(PurchasePackageRequest request, StreamObserver<PurchasePackageResponse> responses) {
    Optional<CreditPackage> found = catalog.find(request.getPackageName());
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .require(!request.getPackageName().isEmpty(), "package_name", "is required")
        .paymentReference(request.getPaymentReference());
    found.ifPresent(sold -> {
      if (sold.custom()) {
        checks.require(request.getAmount() >= sold.minCustomAmount() && request.getAmount() <= sold.maxCustomAmount(),
            "amount", "must be between " + sold.minCustomAmount() + " and " + sold.maxCustomAmount()
                + " micro-credits for custom package " + sold.name());
      } else {
        checks.require(request.getAmount() == 0, "amount",
            "must be unset: package " + sold.name() + " grants " + sold.credits() + " micro-credits");
      }
    });
    if (refuseInvalid(checks, responses)) return;
    if (found.isEmpty()) {
      responses.onError(TallyErrors.packageNotFound(request.getPackageName()));
      return;
    }
    CreditPackage sold = found.get();
    Deadline deadline = Context.current().getDeadline(); // read on the call's thread: the org answers on another
    calls.runWith(request.getOrgId(), new Operation.GetOrg(), responses, done -> {
      Outcome.OrgInfo org = (Outcome.OrgInfo) done.result();
      String plan = org.plan();
      // The referrer is the org's, recorded at its creation: it earns its reward once the grant is issued.
      Claim claim = new Claim(request.getOrgId(), sold.name(), GrantKind.PURCHASE,
          sold.custom() ? request.getAmount() : sold.credits(), sold.validity().orElse(null), org.referredBy());
      String blocked = sold.eligible(plan) ? null : "plan " + plan;
      use(request.getPaymentReference(), claim, blocked, deadline).whenComplete((reply, failure) -> {
        try {
          if (failure != null) responses.onError(TallyErrors.failure(failure));
          else answer(reply, sold, plan, responses);
        } catch (StatusRuntimeException cancelled) {
          // the caller went away; nothing to tell it
        } catch (RuntimeException bug) {
          responses.onError(TallyErrors.failure(bug));
        }
      });
    });
  }

  private CompletableFuture<Reply> use(String paymentReference, Claim claim, String blocked, Deadline deadline) {
    CompletableFuture<Reply> reply = sharding.entityRefFor(ReferenceGrant.PURCHASE, paymentReference)
        .<Reply>ask(replyTo -> new ReferenceGrant.Use(claim, blocked, replyTo), timeout)
        .toCompletableFuture();
    return Replies.withinDeadline(reply, deadline);
  }

  private static void answer(Reply reply, CreditPackage sold, String plan, StreamObserver<PurchasePackageResponse> responses) {
    if (reply instanceof Reply.Issued issued) {
      PurchasePackageResponse.Builder response = PurchasePackageResponse.newBuilder()
          .setGrantId(issued.grantId())
          .setAmount(issued.claim().amount())
          .setEffectiveAt(timestamp(issued.effectiveAt()))
          .setReplayed(issued.replayed())
          .setPackageName(issued.claim().subject())
          .setOrgId(issued.claim().orgId());
      if (issued.expiresAt() != null) response.setExpiresAt(timestamp(issued.expiresAt()));
      responses.onNext(response.build());
      responses.onCompleted();
    } else if (reply instanceof Reply.Reused reused) {
      Claim recorded = reused.recorded();
      responses.onError(TallyErrors.paymentReferenceReused(recorded.orgId(), recorded.subject(), recorded.amount()));
    } else if (reply instanceof Reply.Blocked) {
      responses.onError(TallyErrors.packageNotEligible(sold.name(), plan));
    } else if (reply instanceof Reply.Refused refused) {
      responses.onError(TallyErrors.rejected(refused.refusal()));
    } else {
      // The grant may be done: the same request again completes it, once.
      responses.onError(TallyErrors.failure(new TimeoutException(((Reply.Pending) reply).why())));
    }
  }

  private static dev.tally.v1.CreditPackage proto(CreditPackage sold) {
    dev.tally.v1.CreditPackage.Builder proto = dev.tally.v1.CreditPackage.newBuilder()
        .setName(sold.name())
        .setCredits(sold.credits())
        .setCustom(sold.custom())
        .setMinCustomAmount(sold.minCustomAmount())
        .setMaxCustomAmount(sold.maxCustomAmount())
        .addAllPlans(sold.plans());
    sold.price().ifPresent(price ->
        proto.setPrice(Price.newBuilder().setCurrency(price.currency()).setMinorUnits(price.minorUnits())));
    sold.validity().ifPresent(validity -> proto.setValidity(com.google.protobuf.Duration.newBuilder()
        .setSeconds(validity.getSeconds()).setNanos(validity.getNano())));
    return proto.build();
  }
}
