package dev.tally.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Sends the client's API key with every call as {@code authorization: Bearer <key>}. */
final class ApiKey extends CallCredentials {

  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String key;

  ApiKey(String key) {
    if (key.isBlank()) throw new IllegalArgumentException("empty API key");
    this.key = key;
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + key);
    applier.apply(headers);
  }

  @Override
  public String toString() {
    return "ApiKey[redacted]";
  }
}
