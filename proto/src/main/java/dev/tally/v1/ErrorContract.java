package dev.tally.v1;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;

/**
 * Reads the error contract of {@code tally/v1/errors.proto}: the ErrorInfo domain of Tally's
 * errors, the reason an error carries and the gRPC code each reason comes with. The server, the
 * SDK and tallyctl all go through here, so the contract is written once, in the proto.
 */
public final class ErrorContract {

  /** The {@code google.rpc.ErrorInfo} domain of every error a Tally node sends. */
  public static final String DOMAIN = ErrorReason.getDescriptor().getOptions().getExtension(Errors.errorDomain);

  private ErrorContract() {}

  /**
   * The reason of a Tally error; {@link ErrorReason#ERROR_REASON_UNSPECIFIED} when {@code info} is
   * missing, from another domain, or names a reason this build does not know.
   */
  public static ErrorReason reasonOf(ErrorInfo info) {
    if (info == null || !DOMAIN.equals(info.getDomain())) return ErrorReason.ERROR_REASON_UNSPECIFIED;
    EnumValueDescriptor known = ErrorReason.getDescriptor().findValueByName(info.getReason());
    return known == null ? ErrorReason.ERROR_REASON_UNSPECIFIED : ErrorReason.valueOf(known);
  }

  /** The gRPC code that errors with {@code reason} always have. */
  public static Code codeOf(ErrorReason reason) {
    return reason.getValueDescriptor().getOptions().getExtension(Errors.grpcCode);
  }
}
