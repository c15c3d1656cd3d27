package dev.tally.client;

/**
 * The node did not accept the client's API key: none was set ({@link TallyClientBuilder#apiKey}),
 * or it is malformed, unknown, revoked or expired. Nothing was read or changed; retrying with the
 * same key fails again.
 */
public final class UnauthenticatedException extends TallyException {

  UnauthenticatedException(Failure failure) {
    super(failure);
  }
}
