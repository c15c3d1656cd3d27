package dev.tally.node.auth;

import io.grpc.Context;

/**
 * Who is calling: the role of the key and the org it is bound to (null for admin keys), plus the
 * key's hint for logs and its id for usage reports ("" for the bootstrap key and keys made before
 * V3). It travels with the call in the gRPC {@link Context} under {@link #KEY}.
 */
public record Principal(Role role, String orgId, String hint, String keyId) {

  public static final Context.Key<Principal> KEY = Context.key("tally-principal");

  /** The principal of the current call, null outside an authenticated call. */
  public static Principal current() {
    return KEY.get();
  }

  /** The id of the key of the current call; "" outside an authenticated call (keys off). */
  public static String currentKeyId() {
    Principal principal = current();
    return principal == null ? "" : principal.keyId();
  }

  /**
   * The org the current call's key is bound to (metering, reader, owner keys); null for an admin key
   * and with keys off.
   */
  public static String currentOrgId() {
    Principal principal = current();
    return principal == null ? null : principal.orgId();
  }

  /** Whether this principal may act on {@code orgId}: null for a call about no org, "" for every org. */
  boolean mayActOn(String orgId) {
    return orgId == null || role == Role.ADMIN || (this.orgId != null && this.orgId.equals(orgId));
  }
}
