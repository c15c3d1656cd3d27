package dev.tally.node.account;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Names the reservations an account opens. The entity's names are 128 random bits: no name is ever
 * issued twice for an org, whatever part of its journal is lost, so a commit, release or extend can
 * only reach the hold its own reserve was told about; and another caller of the org cannot guess one.
 * Names made before this (a per-org counter, {@code rsv-N}) stay valid for the holds that have them.
 */
@FunctionalInterface
public interface ReservationIds {

  String next();

  /** {@code rsv_} and 22 URL-safe Base64 characters of {@link SecureRandom}. */
  ReservationIds RANDOM = new ReservationIds() {
    private final SecureRandom random = new SecureRandom();

    @Override
    public String next() {
      byte[] bits = new byte[16];
      random.nextBytes(bits);
      return "rsv_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }
  };
}
