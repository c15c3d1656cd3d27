package dev.tally.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorContractTest {

  @Test
  void tallyErrorsAreInTheTallyDevDomain() {
    assertEquals("tally.dev", ErrorContract.DOMAIN);
  }

  @Test
  void everyReasonANodeSendsNamesTheGrpcCodeItComesWith() {
    Arrays.stream(ErrorReason.values())
        .filter(reason -> reason != ErrorReason.ERROR_REASON_UNSPECIFIED && reason != ErrorReason.UNRECOGNIZED)
        .forEach(reason -> assertNotEquals(Code.OK, ErrorContract.codeOf(reason), reason::name));
  }

  @Test
  void theCodesAreTheOnesOfTheDesignTable() {
    assertEquals(Code.INVALID_ARGUMENT, ErrorContract.codeOf(ErrorReason.INVALID_REQUEST));
    assertEquals(Code.RESOURCE_EXHAUSTED, ErrorContract.codeOf(ErrorReason.CREDITS_EXHAUSTED));
    assertEquals(Code.RESOURCE_EXHAUSTED, ErrorContract.codeOf(ErrorReason.RATE_LIMITED));
    assertEquals(Code.NOT_FOUND, ErrorContract.codeOf(ErrorReason.ORG_NOT_FOUND));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.RESERVATION_RESOLVED));
    assertEquals(Code.ALREADY_EXISTS, ErrorContract.codeOf(ErrorReason.IDEMPOTENCY_MISMATCH));
    assertEquals(Code.UNAVAILABLE, ErrorContract.codeOf(ErrorReason.TIMEOUT));
    assertEquals(Code.INTERNAL, ErrorContract.codeOf(ErrorReason.INTERNAL));
  }

  @Test
  void purchaseRefusalsSayWhetherToFixTheRequestOrStop() {
    assertEquals(Code.NOT_FOUND, ErrorContract.codeOf(ErrorReason.PACKAGE_NOT_FOUND));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.PACKAGE_NOT_ELIGIBLE));
    assertEquals(Code.ALREADY_EXISTS, ErrorContract.codeOf(ErrorReason.PAYMENT_REFERENCE_REUSED));
  }

  @Test
  void aWrongCodeIsNotFoundWhileARealCodeThatCannotBeRedeemedIsAFailedPrecondition() {
    assertEquals(Code.NOT_FOUND, ErrorContract.codeOf(ErrorReason.REDEMPTION_CODE_NOT_FOUND));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.REDEMPTION_CODE_EXPIRED));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.REDEMPTION_CODE_USED_UP));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.REDEMPTION_CODE_VOIDED));
  }

  @Test
  void creditRequestRefusalsAreFailedPreconditionsExceptAnUnknownRequest() {
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.CREDIT_REQUEST_BELOW_THRESHOLD));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.CREDIT_REQUESTS_OPEN_LIMIT));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.CREDIT_REQUEST_DECIDED));
    assertEquals(Code.NOT_FOUND, ErrorContract.codeOf(ErrorReason.CREDIT_REQUEST_NOT_FOUND));
  }

  @Test
  void referralRefusalsSayWhetherTheCodeIsUnknownOrTheRequestCannotBeMet() {
    assertEquals(Code.NOT_FOUND, ErrorContract.codeOf(ErrorReason.REFERRAL_CODE_NOT_FOUND));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.SELF_REFERRAL));
    assertEquals(Code.FAILED_PRECONDITION, ErrorContract.codeOf(ErrorReason.NO_REWARDS_TO_TRANSFER));
  }

  @Test
  void aReasonIsReadByItsNameInTheTallyDomainOnly() {
    assertEquals(ErrorReason.CREDITS_EXHAUSTED,
        ErrorContract.reasonOf(ErrorInfo.newBuilder().setDomain("tally.dev").setReason("CREDITS_EXHAUSTED").build()));
    assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED,
        ErrorContract.reasonOf(ErrorInfo.newBuilder().setDomain("example.com").setReason("CREDITS_EXHAUSTED").build()));
    assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED,
        ErrorContract.reasonOf(ErrorInfo.newBuilder().setDomain("tally.dev").setReason("A_REASON_FROM_THE_FUTURE").build()));
    assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, ErrorContract.reasonOf(null));
  }
}
