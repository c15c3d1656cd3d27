package dev.tally.node;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node's gRPC health service says: SERVING once the node is an Up member and has warmed up,
 * and from then on while its journal can be written ({@link CassandraReadiness}, asked again a second
 * after each answer); NOT_SERVING otherwise, and for good once the node stops.
 */
final class GrpcHealth {

  private static final Logger log = LoggerFactory.getLogger(GrpcHealth.class);
  private static final Duration CHECK_AGAIN_AFTER = Duration.ofSeconds(1);

  private final HealthStatusManager status = new HealthStatusManager();
  private final ActorSystem<?> system;
  private final CassandraReadiness journal;
  private volatile boolean warmedUp;
  private volatile boolean stopped;
  private volatile ServingStatus said = ServingStatus.NOT_SERVING;

  GrpcHealth(ActorSystem<?> system) {
    this.system = system;
    this.journal = new CassandraReadiness(system.classicSystem());
    status.setStatus("", ServingStatus.NOT_SERVING);
  }

  BindableService service() {
    return status.getHealthService();
  }

  /** The node can take calls as far as the cluster goes: from now on the journal decides. */
  void warmedUp() {
    warmedUp = true;
    check();
  }

  /** Whether the health service says SERVING now: the node's own readiness (Accounts.ListClusterMembers). */
  boolean serving() {
    return said == ServingStatus.SERVING && !stopped;
  }

  /** NOT_SERVING for good: the node is stopping. */
  void stop() {
    stopped = true;
    status.enterTerminalState();
  }

  private void check() {
    if (stopped) return;
    journal.get().whenComplete((writable, failure) -> {
      say(Boolean.TRUE.equals(writable) ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
      if (!stopped) system.scheduler().scheduleOnce(CHECK_AGAIN_AFTER, this::check, system.executionContext());
    });
  }

  private synchronized void say(ServingStatus now) {
    if (now == said || stopped) return;
    said = now;
    status.setStatus("", now);
    if (now == ServingStatus.SERVING) log.info("the journal can be written: gRPC health is SERVING");
    else log.warn("the journal cannot be written: gRPC health is NOT_SERVING until it can");
  }
}
