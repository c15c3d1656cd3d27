package dev.tally.node;

import com.typesafe.config.Config;
import dev.tally.node.account.AccountSettings;
import dev.tally.node.account.RequestMemory.Retention;
import java.time.Duration;

/** The {@code tally} block of the configuration, read once at start-up. */
public record NodeSettings(
    String grpcHost,
    int grpcPort,
    Duration defaultTtl,
    Duration maxTtl,
    Duration entityTimeout,
    int maxBatch,
    int maxQueued,
    AccountSettings account) {

  public static NodeSettings from(Config config) {
    Config tally = config.getConfig("tally");
    return new NodeSettings(
        tally.getString("grpc.host"),
        tally.getInt("grpc.port"),
        tally.getDuration("reservation.default-ttl"),
        tally.getDuration("reservation.max-ttl"),
        tally.getDuration("entity-timeout"),
        tally.getInt("group-commit.max-batch"),
        tally.getInt("group-commit.max-queued"),
        new AccountSettings(
            new Retention(tally.getDuration("idempotency.window"), tally.getInt("idempotency.max-entries")),
            tally.getInt("snapshot.every-events"),
            tally.getInt("snapshot.keep")));
  }
}
