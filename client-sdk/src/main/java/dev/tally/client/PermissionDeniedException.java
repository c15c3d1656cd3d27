package dev.tally.client;

/**
 * The API key is valid but its role or org does not allow this call (a metering key of one org
 * acting on another, a reader key changing anything). Nothing was read or changed.
 */
public final class PermissionDeniedException extends TallyException {

  PermissionDeniedException(Failure failure) {
    super(failure);
  }
}
