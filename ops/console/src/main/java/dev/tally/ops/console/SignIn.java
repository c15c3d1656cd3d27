package dev.tally.ops.console;

import dev.tally.client.PermissionDeniedException;
import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.v1.ListApiKeysRequest;
import java.util.regex.Pattern;

/**
 * Finds out what a pasted API key is, by calls that change nothing and that the node answers only
 * for the roles that may make them ({@code CallRules}): ListApiKeys of every org for an admin key;
 * GetBalance of the named org for any key of that org; ListApiKeys of that org for its owner key; then
 * GetOrg, which a reader key may call and a metering key may not. An unknown, revoked or expired key
 * fails the first call with UNAUTHENTICATED.
 */
final class SignIn {

  /** What the key turned out to be. */
  record Signed(Access access, String orgId, TallyClient tally) {}

  /** Why a key was refused, as the sign-in page says it. */
  static final class Refused extends RuntimeException {
    Refused(String sentence) {
      super(sentence, null, false, false);
    }
  }

  /** API keys are {@code tk_} and letters and digits (the node checks the rest); bounded before any call. */
  private static final Pattern KEY_SHAPE = Pattern.compile("tk_[A-Za-z0-9]{1,200}");
  /** Org ids as the API allows them (CreateOrgRequest.org_id). */
  static final Pattern ORG_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

  private SignIn() {}

  /**
   * The key's access, with a client that calls with it; the client is closed when the key is refused.
   * {@code orgId} may be empty for an admin key.
   */
  static Signed probe(ConsoleSettings settings, String key, String orgId) {
    if (!KEY_SHAPE.matcher(key).matches()) throw new Refused("That is not a Tally API key (they start with tk_).");
    if (!orgId.isEmpty() && !ORG_ID.matcher(orgId).matches()) throw new Refused("That is not an org id.");
    TallyClient tally = settings.clientFor(key);
    try {
      if (isAdmin(tally)) return new Signed(Access.ADMIN, "", tally);
      if (orgId.isEmpty()) throw new Refused("This key belongs to an org: give the org's id too.");
      try {
        tally.balance(orgId);
      } catch (PermissionDeniedException e) {
        throw new Refused("This key is not a key of that org.");
      }
      if (listsKeys(tally, orgId)) return new Signed(Access.OWNER, orgId, tally);
      try {
        tally.accounts().getOrg(orgId);
        return new Signed(Access.READER, orgId, tally);
      } catch (PermissionDeniedException e) {
        return new Signed(Access.METERING, orgId, tally);
      }
    } catch (RuntimeException e) {
      tally.close();
      throw e;
    }
  }

  private static boolean isAdmin(TallyClient tally) {
    return listsKeys(tally, "");
  }

  /** Whether the key may list the API keys of {@code orgId} ("": of every org). */
  private static boolean listsKeys(TallyClient tally, String orgId) {
    try {
      tally.accounts().listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(orgId).setPageSize(1).build());
      return true;
    } catch (PermissionDeniedException e) {
      return false;
    }
  }

  /** Whether a failure of the probe means the key itself is not accepted. */
  static boolean keyRefused(TallyException failure) {
    return failure instanceof dev.tally.client.UnauthenticatedException;
  }
}
