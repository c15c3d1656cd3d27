package dev.tally.client;

import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.TokenEstimate;
import dev.tally.v1.TokenUsage;
import dev.tally.v1.UsageEstimate;
import java.time.Duration;
import java.util.UUID;

/** The SDK's estimates and usage as the wire's {@code oneof} fields. */
final class ProtoMapping {

  private ProtoMapping() {}

  /**
   * A fresh id for one operation; every retry of that operation reuses it. A UUIDv7 (RFC 9562): it
   * names the time it was made, which spares a busy org's node a read of its request table (the
   * node trusts the time only to rule out requests it spilled before); 74 random bits make it unique.
   */
  static String newRequestId() {
    UUID random = UUID.randomUUID(); // its variant bits are v7's too
    long timeAndVersion = (System.currentTimeMillis() << 16) | 0x7000L | (random.getMostSignificantBits() & 0x0FFFL);
    return new UUID(timeAndVersion, random.getLeastSignificantBits()).toString();
  }

  static ReserveRequest.Builder size(ReserveRequest.Builder request, Estimate estimate) {
    if (estimate instanceof Estimate.Amount amount) return request.setAmount(amount.microCredits());
    if (estimate instanceof Estimate.Tokens tokens) {
      return request.setEstimate(UsageEstimate.newBuilder().setTokens(TokenEstimate.newBuilder()
          .setModel(tokens.model())
          .setInputTokens(tokens.inputTokens())
          .setMaxOutputTokens(tokens.maxOutputTokens())));
    }
    return request.setEstimate(UsageEstimate.newBuilder().setCallType(((Estimate.CallType) estimate).callType()));
  }

  static CommitRequest.Builder actual(CommitRequest.Builder request, Usage usage) {
    return usage instanceof Usage.Amount amount ? request.setAmount(amount.microCredits()) : request.setUsage(usage(usage));
  }

  static ChargeRequest.Builder price(ChargeRequest.Builder request, Usage usage) {
    return usage instanceof Usage.Amount amount ? request.setAmount(amount.microCredits()) : request.setUsage(usage(usage));
  }

  private static dev.tally.v1.Usage usage(Usage usage) {
    if (usage instanceof Usage.Tokens tokens) {
      return dev.tally.v1.Usage.newBuilder().setTokens(TokenUsage.newBuilder()
          .setModel(tokens.model())
          .setInputTokens(tokens.inputTokens())
          .setOutputTokens(tokens.outputTokens())
          .setCacheReadTokens(tokens.cacheReadTokens())
          .setCacheWriteTokens(tokens.cacheWriteTokens()))
          .build();
    }
    return dev.tally.v1.Usage.newBuilder().setCallType(((Usage.CallType) usage).callType()).build();
  }

  static com.google.protobuf.Duration duration(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  static Duration duration(com.google.protobuf.Duration duration) {
    return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }

  /** A duration the way gRPC service configs write it, e.g. {@code "0.200000000s"}. */
  static String serviceConfigDuration(Duration duration) {
    return String.format("%d.%09ds", duration.getSeconds(), duration.getNano());
  }
}
