package dev.tally.ops.tallyctl;

import dev.tally.ops.tallyctl.Management.Member;
import dev.tally.ops.tallyctl.Management.Members;
import dev.tally.ops.tallyctl.Management.ShardInfo;
import dev.tally.ops.tallyctl.Management.Unreachable;
import dev.tally.v1.ClusterMember;
import dev.tally.v1.ListClusterMembersResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** The cluster: members and shards as a node's management HTTP API shows them, and making a node leave over gRPC. */
final class ClusterCommands {

  /** The sharded entity every org lives in. */
  static final String ORG_ACCOUNT = "OrgAccount";

  /** What {@code shards --json} prints. */
  record Shards(String node, String entityType, int entities, List<Shard> shards) {}

  record Shard(String shardId, int entities) {}

  /** What {@code leave --json} prints. */
  record Leave(String node, String message) {}

  private ClusterCommands() {}

  static void members(Invocation run) {
    Members members = run.tally().management().members();
    if (run.out().json) {
      run.out().document(members);
      return;
    }
    Table table = new Table("NODE", "STATUS", "ROLES", "NOTES");
    members.members().stream().sorted(Comparator.comparing(Member::node)).forEach(member ->
        table.row(member.node(), member.status(), String.join(",", member.roles().stream().sorted().toList()),
            notes(members, member.node())));
    run.out().table(table);
  }

  static void shards(Invocation run) {
    Management management = run.tally().management();
    String node = management.members().selfNode();
    List<Shard> shards = new ArrayList<>();
    for (ShardInfo shard : management.shards(ORG_ACCOUNT)) shards.add(new Shard(shard.shardId(), shard.numEntities()));
    shards.sort(Comparator.comparing(Shard::shardId, ClusterCommands::byNumber));
    int entities = shards.stream().mapToInt(Shard::entities).sum();
    if (run.out().json) {
      run.out().document(new Shards(node, ORG_ACCOUNT, entities, shards));
      return;
    }
    run.out().line(node + " hosts " + shards.size() + " " + ORG_ACCOUNT + " shards, " + entities + " orgs in memory");
    Table table = new Table("SHARD", "ORGS IN MEMORY").alignRight(0, 1);
    shards.forEach(shard -> table.row(shard.shardId(), shard.entities()));
    if (!table.isEmpty()) run.out().table(table);
  }

  /** Through gRPC with an admin key: the members and their readiness as the node called sees them. */
  static void nodes(Invocation run) {
    ListClusterMembersResponse members = run.tally().read(null, () -> run.tally().accounts().listClusterMembers());
    if (run.out().json) {
      run.out().document(ApiJson.of(members));
      return;
    }
    Table table = new Table("NODE", "STATUS", "REACHABLE", "READY", "ROLES", "NOTES");
    for (ClusterMember member : members.getMembersList()) {
      List<String> notes = new ArrayList<>();
      if (member.getAddress().equals(members.getLeader())) notes.add("leader");
      if (member.getAnswering()) notes.add("answered");
      table.row(member.getAddress(), member.getStatus().name(), member.getReachable() ? "yes" : "NO",
          readiness(member.getReadiness()), String.join(",", member.getRolesList()), String.join(", ", notes));
    }
    run.out().table(table);
  }

  /** What {@code nodes} says of a member's readiness. */
  static String readiness(ClusterMember.Readiness readiness) {
    return switch (readiness) {
      case READY -> "yes";
      case NOT_READY -> "NO";
      case NOT_KNOWN_HERE -> "ask it";
      default -> "?";
    };
  }

  /** Through gRPC with an admin key: the management API is read-only. */
  static void leave(Invocation run) {
    String member = run.operand(0);
    String address = run.tally().read(null, () -> run.tally().accounts().leaveCluster(member)).getMember();
    if (run.out().json) {
      run.out().document(new Leave(address, "Leaving " + address));
      return;
    }
    run.out().line("Leaving " + address + ": its shards move to the other nodes, then it shuts down");
  }

  /** leader, oldest, this node, unreachable. */
  private static String notes(Members members, String node) {
    List<String> notes = new ArrayList<>();
    if (node.equals(members.leader())) notes.add("leader");
    if (node.equals(members.oldest())) notes.add("oldest");
    if (node.equals(members.selfNode())) notes.add("self");
    for (Unreachable unreachable : Objects.requireNonNullElse(members.unreachable(), List.<Unreachable>of())) {
      if (unreachable.node().equals(node)) {
        notes.add("UNREACHABLE from " + String.join(",", unreachable.observedBy()));
      }
    }
    return String.join(", ", notes);
  }

  /** Shard ids are numbers in text: 2 before 10. */
  private static int byNumber(String a, String b) {
    try {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }
}
