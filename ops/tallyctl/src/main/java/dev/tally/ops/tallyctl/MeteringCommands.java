package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import com.google.protobuf.Message;
import dev.tally.v1.Balance;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.Labels;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReleaseResponse;
import dev.tally.v1.ReserveRequest;

/**
 * The data plane by hand, for an operator checking a node: reserve, extend, commit, release and charge
 * an amount of credits, as an AI service would through the SDK. Amounts print as credits.
 */
final class MeteringCommands {

  private MeteringCommands() {}

  static void reserve(Invocation run) {
    String org = run.operand(0);
    long amount = CreditAmount.parse(run.operand(1));
    String requestId = run.requestId();
    ReserveRequest request = ReserveRequest.newBuilder().setOrgId(org).setRequestId(requestId).setAmount(amount)
        .setLabels(labels(run)).build();
    var held = run.tally().change(org, requestId, () -> run.tally().client().reserve(request));
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.addProperty("reservation_id", held.reservationId());
      document.addProperty("held_micro_credits", held.held());
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    run.out().line("reserved " + format(held.held()) + " credits of " + org + " as " + held.reservationId());
    run.out().table(new Table()
        .row("reservation", held.reservationId())
        .row("request id", requestId));
  }

  static void commit(Invocation run) {
    String org = run.operand(0);
    String reservation = run.operand(1);
    long amount = CreditAmount.parse(run.operand(2));
    String requestId = run.requestId();
    CommitRequest request = CommitRequest.newBuilder()
        .setOrgId(org).setRequestId(requestId).setReservationId(reservation).setAmount(amount).build();
    CommitResponse committed = run.tally().change(org, requestId, () -> run.tally().client().commit(request));
    if (print(run, committed, requestId)) return;
    run.out().line("committed " + format(committed.getCharged()) + " credits of " + reservation + ", released "
        + format(committed.getReleased()));
    run.out().table(balance(committed.getBalance()).row("request id", requestId));
  }

  static void release(Invocation run) {
    String org = run.operand(0);
    String reservation = run.operand(1);
    String requestId = run.requestId();
    ReleaseRequest request = ReleaseRequest.newBuilder()
        .setOrgId(org).setRequestId(requestId).setReservationId(reservation).build();
    ReleaseResponse released = run.tally().change(org, requestId, () -> run.tally().client().release(request));
    if (print(run, released, requestId)) return;
    run.out().line("released " + format(released.getReleased()) + " credits of " + reservation);
    run.out().table(balance(released.getBalance()).row("request id", requestId));
  }

  static void extend(Invocation run) {
    String org = run.operand(0);
    String reservation = run.operand(1);
    String requestId = run.requestId();
    ExtendReservationRequest.Builder request = ExtendReservationRequest.newBuilder()
        .setOrgId(org).setRequestId(requestId).setReservationId(reservation);
    run.option("ttl").ifPresent(text -> request.setTtl(
        com.google.protobuf.Duration.newBuilder().setSeconds(DurationText.parse("ttl", text).toSeconds())));
    run.option("add").ifPresent(amount -> request.setAdditionalAmount(CreditAmount.parse(amount)));
    ExtendReservationResponse extended = run.tally().change(org, requestId, () -> run.tally().client().extend(request.build()));
    if (print(run, extended, requestId)) return;
    run.out().line("extended " + reservation + ": holds " + format(extended.getHeld()) + " credits until "
        + AccountCommands.time(extended.getExpiresAt()));
    run.out().table(balance(extended.getBalance()).row("request id", requestId));
  }

  static void charge(Invocation run) {
    String org = run.operand(0);
    long amount = CreditAmount.parse(run.operand(1));
    String requestId = run.requestId();
    ChargeRequest request = ChargeRequest.newBuilder().setOrgId(org).setRequestId(requestId).setAmount(amount)
        .setLabels(labels(run)).build();
    ChargeResponse charged = run.tally().change(org, requestId, () -> run.tally().client().charge(request));
    if (print(run, charged, requestId)) return;
    run.out().line("charged " + format(charged.getCharged()) + " credits to " + org);
    run.out().table(balance(charged.getBalance()).row("request id", requestId));
  }

  /** What the call is about, from --model, --project, --user and --call-type ("" where not given). */
  private static Labels labels(Invocation run) {
    return Labels.newBuilder().setModel(run.option("model").orElse("")).setProject(run.option("project").orElse(""))
        .setUser(run.option("user").orElse("")).setCallType(run.option("call-type").orElse("")).build();
  }

  /** With --json, the API's response plus request_id; true when printed. */
  private static boolean print(Invocation run, Message response, String requestId) {
    if (!run.out().json) return false;
    JsonObject document = ApiJson.of(response);
    document.addProperty("request_id", requestId);
    run.out().document(document);
    return true;
  }

  private static Table balance(Balance balance) {
    return new Table()
        .row("available", format(balance.getAvailable()) + " credits")
        .row("held", format(balance.getHeld()) + " credits")
        .row("debt", format(balance.getDebt()) + " credits");
  }
}
