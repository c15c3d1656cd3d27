package dev.tally.node.api;

import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.Outcome.Done;
import dev.tally.node.account.Outcome.Failed;
import dev.tally.node.account.Outcome.Unavailable;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.groupcommit.OrgBatcher;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.MDC;

/**
 * Runs one unary call against an org's account: hands the operation to the org's batch, bounds
 * the wait by the caller's deadline, and answers with the response or the mapped error.
 */
final class OrgCalls {

  private final OrgBatcher batcher;

  OrgCalls(OrgBatcher batcher) {
    this.batcher = batcher;
  }

  <T> void run(String orgId, Operation operation, StreamObserver<T> responses, Function<Done, T> toResponse) {
    CompletableFuture<Outcome> outcome = batcher.submit(orgId, operation).copy();
    Deadline deadline = Context.current().getDeadline();
    Replies.withinDeadline(outcome, deadline);
    outcome.whenComplete((result, failure) -> {
      try (MDC.MDCCloseable org = MDC.putCloseable("orgId", orgId);
          MDC.MDCCloseable request = MDC.putCloseable("requestId", requestIdOf(operation))) {
        if (failure != null) {
          responses.onError(TallyErrors.failure(failure));
        } else if (result instanceof Rejected rejected) {
          responses.onError(TallyErrors.rejected(rejected));
        } else if (result instanceof Failed failed) {
          responses.onError(TallyErrors.failed(failed));
        } else if (result instanceof Unavailable unavailable) {
          responses.onError(TallyErrors.unavailable(unavailable));
        } else {
          responses.onNext(toResponse.apply((Done) result));
          responses.onCompleted();
        }
      } catch (StatusRuntimeException cancelled) {
        // the caller went away; nothing to tell it
      } catch (RuntimeException bug) {
        responses.onError(TallyErrors.failure(bug));
      }
    });
  }

  /**
   * Runs one operation against an org's account and, once it succeeded, {@code next}; a refusal or
   * failure goes to {@code responses} instead.
   */
  void runThen(String orgId, Operation operation, StreamObserver<?> responses, Runnable next) {
    runWith(orgId, operation, responses, done -> next.run());
  }

  /** Like {@link #runThen}, with what the operation answered. */
  void runWith(String orgId, Operation operation, StreamObserver<?> responses, Consumer<Done> next) {
    run(orgId, operation, new StreamObserver<Done>() {
      @Override
      public void onNext(Done done) {
        next.accept(done);
      }

      @Override
      public void onError(Throwable failure) {
        responses.onError(failure);
      }

      @Override
      public void onCompleted() {}
    }, done -> done);
  }

  private static String requestIdOf(Operation operation) {
    return operation instanceof Operation.Requested requested ? requested.requestId() : "";
  }

  /** Answers with the request's field violations, if there are any; true when it did. */
  static boolean refuseInvalid(RequestChecks checks, StreamObserver<?> responses) {
    StatusRuntimeException failure = checks.failure();
    if (failure == null) return false;
    responses.onError(failure);
    return true;
  }
}
