package dev.tally.client;

/** The org does not exist (no CreateOrg for it yet); nothing changed. */
public final class OrgNotFoundException extends TallyException {

  OrgNotFoundException(Failure failure) {
    super(failure);
  }
}
