package dev.tally.node.cluster;

import java.util.Optional;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;

/**
 * The cluster's members as operators name them, and making one leave. Leaving goes through here
 * (Accounts.LeaveCluster, admin keys only), not through Pekko Management's HTTP routes, which are
 * read-only.
 */
public final class Membership {

  private final Cluster cluster;

  public Membership(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
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
