package dev.tally.testkit;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The admin API key of every node the tests start: {@link NodeProcess} passes its SHA-256 as
 * {@code TALLY_BOOTSTRAP_ADMIN_KEY_SHA256}, and test clients send the key. A test-only key, public on
 * purpose; it is valid by the node's format (prefix, random part, checksum).
 */
public final class TestKeys {

  public static final String ADMIN = "tk_hroTgncuEo7pqI4ieMmt5XP35D7pa";
  /** What the node is given: the lowercase hex SHA-256 of {@link #ADMIN}. */
  public static final String ADMIN_SHA256 = sha256(ADMIN);

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private TestKeys() {}

  /** Sends {@code authorization: Bearer key} with every call of a raw channel. */
  public static ClientInterceptor bearer(String key) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(AUTHORIZATION, "Bearer " + key);
            super.start(listener, headers);
          }
        };
      }
    };
  }

  public static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
