package dev.tally.ops.console;

import dev.tally.v1.ClusterMember;
import dev.tally.v1.ListClusterMembersResponse;
import java.util.Locale;

/**
 * The operator's view of the cluster (Accounts.ListClusterMembers, admin keys only): every member
 * with its status, reachability, roles and readiness as the node that answered knows it.
 */
final class ClusterPage {

  private ClusterPage() {}

  static String render(Session session) {
    ListClusterMembersResponse cluster = session.tally().accounts().listClusterMembers();
    long up = cluster.getMembersList().stream().filter(member -> member.getStatus() == ClusterMember.Status.UP).count();
    Html page = new Html();
    page.raw("<section aria-labelledby=\"members-h\"><h2 id=\"members-h\">Members</h2><p id=\"members-summary\">")
        .text(cluster.getMembersCount() + (cluster.getMembersCount() == 1 ? " member, " : " members, ") + up + " up, as "
            + cluster.getAnsweredBy() + " sees the cluster.")
        .raw("</p><div class=\"scroll\"><table id=\"members\"><thead><tr><th scope=\"col\">Node</th><th scope=\"col\">Status</th>")
        .raw("<th scope=\"col\">Reachable</th><th scope=\"col\">Ready</th><th scope=\"col\">Roles</th>")
        .raw("<th scope=\"col\">Data center</th><th scope=\"col\">Notes</th></tr></thead><tbody>");
    for (ClusterMember member : cluster.getMembersList()) {
      StringBuilder notes = new StringBuilder();
      if (member.getAddress().equals(cluster.getLeader())) notes.append("leader");
      if (member.getAnswering()) notes.append(notes.length() > 0 ? ", " : "").append("answered this page");
      page.raw("<tr>").element("td", member.getAddress())
          .element("td", words(member.getStatus().name()))
          .raw(member.getReachable() ? "<td>yes</td>" : "<td class=\"bad\">no</td>")
          .raw(member.getReadiness() == ClusterMember.Readiness.NOT_READY ? "<td class=\"bad\">" : "<td>")
          .text(readiness(member.getReadiness())).raw("</td>")
          .element("td", String.join(", ", member.getRolesList()))
          .element("td", member.getDataCenter())
          .element("td", notes.toString()).raw("</tr>");
    }
    page.raw("</tbody></table></div>")
        .raw("<p>Ready: the node can take calls (it is up, warmed up, and can write its journal). A node knows that of ")
        .raw("itself only; of the others it knows whether they are up and reachable. Reload the page to ask again — ")
        .raw("another node may answer.</p></section>");
    return Pages.frame(session, "Cluster", page);
  }

  /** {@code WEAKLY_UP} → "weakly up". */
  private static String words(String name) {
    return name.replace('_', ' ').toLowerCase(Locale.ROOT);
  }

  static String readiness(ClusterMember.Readiness readiness) {
    return switch (readiness) {
      case READY -> "yes";
      case NOT_READY -> "no";
      case NOT_KNOWN_HERE -> "up and reachable (only it knows more)";
      default -> "unknown";
    };
  }
}
