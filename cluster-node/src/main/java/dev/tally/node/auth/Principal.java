package dev.tally.node.auth;

import io.grpc.Context;

/**
 * Who is calling: the role of the key and the org it is bound to (null for admin keys), plus the
 * key's hint for logs. It travels with the call in the gRPC {@link Context} under {@link #KEY}.
 */
public record Principal(Role role, String orgId, String hint) {

  public static final Context.Key<Principal> KEY = Context.key("tally-principal");

  /** The principal of the current call, null outside an authenticated call. */
  public static Principal current() {
    return KEY.get();
  }

  /** Whether this principal may act on {@code orgId}: null for a call about no org, "" for every org. */
  boolean mayActOn(String orgId) {
    return orgId == null || role == Role.ADMIN || (this.orgId != null && this.orgId.equals(orgId));
  }
}
