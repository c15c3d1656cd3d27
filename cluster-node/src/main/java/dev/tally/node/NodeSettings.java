package dev.tally.node;

import com.typesafe.config.Config;
import dev.tally.node.account.AccountSettings;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.auth.Authentication;
import dev.tally.node.auth.ServerTls;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.node.notify.Deliveries;
import dev.tally.node.terms.PackageCatalog;
import dev.tally.node.terms.PlanCatalog;
import dev.tally.node.terms.PriceBook;
import dev.tally.node.terms.Terms;
import dev.tally.node.usage.ReadSide;
import java.time.Duration;

/** The {@code tally} block of the configuration, read once at start-up. */
public record NodeSettings(
    String grpcHost,
    int grpcPort,
    ServerTls grpcTls,
    Duration drainTimeout,
    Duration connectionMaxAge,
    Duration connectionAgeGrace,
    String metricsHost,
    int metricsPort,
    Duration defaultTtl,
    Duration maxTtl,
    Duration entityTimeout,
    OrgBatcher.Limits groupCommit,
    AccountSettings account,
    long requestMemoryEntries,
    Authentication.Settings auth,
    CassandraSessions.Settings cassandra,
    PackageCatalog packages,
    ReadSide.Settings readSide,
    boolean webhooksAllowPrivate,
    Deliveries.Settings webhookDeliveries) {

  static final String UNBIND_TIMEOUT = "pekko.coordinated-shutdown.phases.service-unbind.timeout";
  static final String PASSIVATE_AFTER = "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout";

  /**
   * What one remembered request id or resolution costs the heap, for the node's budget when none is configured: the
   * memory section of BENCHMARKS.md measures a pair's (two requests and a resolution) at under 1 KB.
   */
  static final int BYTES_PER_REMEMBERED = 400;

  static final String ARTERY_TRANSPORT = "pekko.remote.artery.transport";
  static final String ARTERY_TLS = "pekko.remote.artery.ssl.config-ssl-engine";

  /**
   * Artery over tls-tcp with Pekko's example stores ("keystore", "truststore", password "changeme")
   * would start with whatever files of those names it finds, or fail later with a vaguer error.
   */
  private static void requireClusterTlsStores(Config config) {
    if (!"tls-tcp".equals(config.getString(ARTERY_TRANSPORT))) return;
    Config tls = config.getConfig(ARTERY_TLS);
    boolean examples = "keystore".equals(tls.getString("key-store")) || "truststore".equals(tls.getString("trust-store"))
        || "changeme".equals(tls.getString("key-store-password")) || "changeme".equals(tls.getString("trust-store-password"));
    if (examples) {
      throw new IllegalArgumentException("TALLY_CLUSTER_TRANSPORT=tls-tcp needs TALLY_CLUSTER_TLS_KEY_STORE, "
          + "TALLY_CLUSTER_TLS_KEY_STORE_PASSWORD, TALLY_CLUSTER_TLS_TRUST_STORE and TALLY_CLUSTER_TLS_TRUST_STORE_PASSWORD");
    }
  }

  public static NodeSettings from(Config config) {
    Config tally = config.getConfig("tally");
    Duration maxTtl = tally.getDuration("reservation.max-ttl");
    // Rule 4: a hold expires on time only if its org is still in memory then; after a crash, on the next touch.
    if (config.getDuration(PASSIVATE_AFTER).compareTo(maxTtl) <= 0) {
      throw new IllegalArgumentException(
          PASSIVATE_AFTER + " (TALLY_PASSIVATE_AFTER) must be longer than tally.reservation.max-ttl (" + maxTtl + ")");
    }
    Duration drainTimeout = tally.getDuration("grpc.drain-timeout");
    // The drain runs in the service-unbind phase and needs up to a second after its timeout.
    if (config.getDuration(UNBIND_TIMEOUT).compareTo(drainTimeout.plusSeconds(2)) < 0) {
      throw new IllegalArgumentException(
          UNBIND_TIMEOUT + " must be at least tally.grpc.drain-timeout (" + drainTimeout + ") plus 2 s");
    }
    requireClusterTlsStores(config);
    Retention retention = new Retention(tally.getDuration("idempotency.window"), tally.getInt("idempotency.max-entries"));
    if (retention.maxEntries() < 1 || retention.window().isNegative() || retention.window().isZero()) {
      throw new IllegalArgumentException("tally.idempotency.window and max-entries must be positive");
    }
    // A batch's own requests must not leave memory before it is written (they would miss the request table).
    if (retention.maxEntries() < tally.getInt("group-commit.max-batch")) {
      throw new IllegalArgumentException("tally.idempotency.max-entries (TALLY_IDEMPOTENCY_MAX_ENTRIES) must be at least "
          + "tally.group-commit.max-batch (" + tally.getInt("group-commit.max-batch") + ")");
    }
    long nodeMaxEntries = tally.getLong("idempotency.node-max-entries");
    if (nodeMaxEntries < 0) {
      throw new IllegalArgumentException("tally.idempotency.node-max-entries (TALLY_IDEMPOTENCY_NODE_MAX_ENTRIES) must not be negative");
    }
    // Unset: a quarter of the heap.
    long requestMemoryEntries = nodeMaxEntries > 0
        ? nodeMaxEntries
        : Math.max(1, Runtime.getRuntime().maxMemory() / 4 / BYTES_PER_REMEMBERED);
    Authentication.Settings auth = new Authentication.Settings(
        tally.getString("auth.bootstrap-admin-key-sha256").trim(),
        tally.getDuration("auth.key-cache-ttl"),
        tally.getInt("auth.key-cache-max-entries"),
        tally.getDuration("auth.key-lookup-timeout"));
    if (!auth.bootstrapAdminSha256().isEmpty() && !auth.bootstrapAdminSha256().matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException(
          "tally.auth.bootstrap-admin-key-sha256 (TALLY_BOOTSTRAP_ADMIN_KEY_SHA256) must be 64 hex digits: the SHA-256 of the key");
    }
    if (auth.cacheMaxEntries() < 1) throw new IllegalArgumentException("tally.auth.key-cache-max-entries must be positive");
    PlanCatalog plans = PlanCatalog.from(tally.getConfig("plans"));
    return new NodeSettings(
        tally.getString("grpc.host"),
        tally.getInt("grpc.port"),
        ServerTls.of(tally.getString("grpc.tls.cert-chain"), tally.getString("grpc.tls.private-key"),
            tally.getString("grpc.tls.client-ca")),
        drainTimeout,
        tally.getDuration("grpc.connection-max-age"),
        tally.getDuration("grpc.connection-age-grace"),
        tally.getString("metrics.host"),
        tally.getInt("metrics.port"),
        tally.getDuration("reservation.default-ttl"),
        maxTtl,
        tally.getDuration("entity-timeout"),
        new OrgBatcher.Limits(
            tally.getInt("group-commit.max-batch"),
            tally.getInt("group-commit.max-queued"),
            tally.getInt("group-commit.max-waiting"),
            tally.getInt("group-commit.max-in-flight")),
        new AccountSettings(
            retention,
            tally.getInt("snapshot.every-events"),
            tally.getInt("snapshot.keep"),
            new Terms(plans, PriceBook.from(tally.getConfig("pricing"))),
            tally.getDuration("grant-expiry-notice")),
        requestMemoryEntries,
        auth,
        new CassandraSessions.Settings(
            tally.getString("cassandra.username"),
            tally.getString("cassandra.password"),
            tally.getBoolean("cassandra.tls.enabled"),
            tally.getString("cassandra.tls.ca").isBlank()
                ? java.util.Optional.empty() : java.util.Optional.of(java.nio.file.Path.of(tally.getString("cassandra.tls.ca").strip())),
            tally.getBoolean("cassandra.tls.hostname-validation")),
        PackageCatalog.from(tally.getConfig("packages"), plans),
        new ReadSide.Settings(tally.getBoolean("read-side.enabled"), tally.getDuration("read-side.reconcile-every")),
        tally.getBoolean("webhooks.allow-private-addresses"),
        new Deliveries.Settings(tally.getDuration("webhooks.timeout"), tally.getDouble("webhooks.retry-scale"),
            tally.getInt("webhooks.concurrency"), tally.getDuration("webhooks.disable-after")));
  }
}
