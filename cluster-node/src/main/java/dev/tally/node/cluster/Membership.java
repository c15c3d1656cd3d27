package dev.tally.node.cluster;

import dev.tally.v1.ClusterMember;
import dev.tally.v1.ListClusterMembersResponse;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;

/**
 * The cluster's members as operators name them, listing them (Accounts.ListClusterMembers) and making
 * one leave. Leaving goes through here (Accounts.LeaveCluster, admin keys only), not through Pekko
 * Management's HTTP routes, which are read-only.
 */
public final class Membership {

  private final Cluster cluster;
  private final BooleanSupplier selfReady;

  /** @param selfReady whether this node is ready to take calls now (its gRPC health says SERVING) */
  public Membership(ActorSystem<?> system, BooleanSupplier selfReady) {
    this.cluster = Cluster.get(system);
    this.selfReady = selfReady;
  }

  /** Every member this node knows of, sorted by address, with what this node knows of its readiness. */
  public ListClusterMembersResponse list() {
    CurrentClusterState state = cluster.state();
    Address self = cluster.selfMember().address();
    Set<Address> unreachable = state.getUnreachable().stream().map(Member::address).collect(Collectors.toSet());
    ListClusterMembersResponse.Builder answer = ListClusterMembersResponse.newBuilder().setAnsweredBy(self.toString());
    if (state.getLeader() != null) answer.setLeader(state.getLeader().toString());
    StreamSupport.stream(state.getMembers().spliterator(), false)
        .sorted(Comparator.comparing(member -> member.address().toString()))
        .forEach(member -> {
          boolean answering = member.address().equals(self);
          boolean reachable = !unreachable.contains(member.address());
          ClusterMember.Status status = status(member.status());
          answer.addMembers(ClusterMember.newBuilder()
              .setAddress(member.address().toString())
              .setStatus(status)
              .setReachable(reachable)
              .addAllRoles(member.getRoles().stream().sorted().toList())
              .setDataCenter(member.dataCenter())
              .setAnswering(answering)
              .setReadiness(readiness(answering, status, reachable)));
        });
    return answer.build();
  }

  private ClusterMember.Readiness readiness(boolean answering, ClusterMember.Status status, boolean reachable) {
    if (answering) return selfReady.getAsBoolean() ? ClusterMember.Readiness.READY : ClusterMember.Readiness.NOT_READY;
    if (status != ClusterMember.Status.UP || !reachable) return ClusterMember.Readiness.NOT_READY;
    return ClusterMember.Readiness.NOT_KNOWN_HERE;
  }

  static ClusterMember.Status status(MemberStatus status) {
    if (status.equals(MemberStatus.joining())) return ClusterMember.Status.JOINING;
    if (status.equals(MemberStatus.weaklyUp())) return ClusterMember.Status.WEAKLY_UP;
    if (status.equals(MemberStatus.up())) return ClusterMember.Status.UP;
    if (status.equals(MemberStatus.leaving())) return ClusterMember.Status.LEAVING;
    if (status.equals(MemberStatus.exiting())) return ClusterMember.Status.EXITING;
    if (status.equals(MemberStatus.down())) return ClusterMember.Status.DOWN;
    if (status.equals(MemberStatus.removed())) return ClusterMember.Status.REMOVED;
    return ClusterMember.Status.STATUS_UNSPECIFIED;
  }

  /**
   * Asks the cluster to let {@code member} leave: its shards move to the other nodes, then it stops.
   * The member's full address; empty when no member of the cluster has that name.
   */
  public Optional<Address> leave(String member) {
    Optional<Address> address = find(member);
    address.ifPresent(found -> cluster.manager().tell(Leave.create(found)));
    return address;
  }

  /** The member named by its full address, by {@code system@host:port}, or by {@code host:port}. */
  private Optional<Address> find(String member) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .map(Member::address)
        .filter(address -> address.toString().equals(member) || address.hostPort().equals(member)
            || (address.host().isDefined() && address.port().isDefined()
                && (address.host().get() + ":" + address.port().get()).equals(member)))
        .findFirst();
  }
}
