package dev.tally.v1;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook delivery, per the Standard Webhooks specification
 * (standardwebhooks.com): {@code v1,} and the base64 HMAC-SHA256, under the endpoint's secret, of
 * {@code <webhook-id>.<webhook-timestamp>.<body>}. The one place the algorithm is written: the node
 * signs with it, the SDK's {@code Webhooks} verifies with it.
 *
 * <p>A secret is {@code whsec_} and the base64 of its key bytes (Tally makes 32 random bytes).
 */
public final class WebhookSignature {

  /** What every webhook secret starts with. */
  public static final String SECRET_PREFIX = "whsec_";
  /** The version tag of the only signature scheme: HMAC-SHA256. */
  public static final String VERSION = "v1";
  /** The fewest key bytes a secret may hold (the specification's 24; Tally makes 32). */
  public static final int MIN_KEY_BYTES = 24;
  /** The most key bytes a secret may hold (the specification's 64). */
  public static final int MAX_KEY_BYTES = 64;

  private WebhookSignature() {}

  /** The secret's text, {@code whsec_<base64>}, of {@code key}. */
  public static String secret(byte[] key) {
    checkLength(key.length);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /**
   * The key bytes of a {@code whsec_<base64>} secret.
   *
   * @throws IllegalArgumentException when the text is not such a secret
   */
  public static byte[] key(String secret) {
    if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("a webhook secret starts with " + SECRET_PREFIX);
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a webhook secret is " + SECRET_PREFIX + " and base64");
    }
    checkLength(key.length);
    return key;
  }

  private static void checkLength(int bytes) {
    if (bytes < MIN_KEY_BYTES || bytes > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("a webhook secret holds " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " bytes");
    }
  }

  /** One signature, {@code v1,<base64>}, of a delivery: its id, its timestamp (seconds since the epoch) and its body. */
  public static String sign(byte[] key, String id, long timestampSeconds, byte[] body) {
    return VERSION + "," + Base64.getEncoder().encodeToString(hmac(key, id, timestampSeconds, body));
  }

  /**
   * Whether any {@code v1} signature of a {@code webhook-signature} header (space-separated
   * {@code <version>,<base64>} entries) is the delivery's under {@code key}. Entries of other
   * versions are skipped; each is compared in constant time.
   *
   * @throws IllegalArgumentException when an entry is not {@code <version>,<signature>}
   */
  public static boolean anyMatches(byte[] key, String id, long timestampSeconds, byte[] body, String signatures) {
    byte[] expected = hmac(key, id, timestampSeconds, body);
    boolean matched = false;
    for (String entry : signatures.trim().split(" +")) {
      int comma = entry.indexOf(',');
      if (comma <= 0 || comma == entry.length() - 1) {
        throw new IllegalArgumentException("a signature is <version>,<base64>, not " + abbreviated(entry));
      }
      if (!entry.substring(0, comma).equals(VERSION)) continue;
      byte[] given;
      try {
        given = Base64.getDecoder().decode(entry.substring(comma + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a v1 signature is base64, not " + abbreviated(entry));
      }
      // No early exit: every entry is compared, whichever matches.
      matched |= MessageDigest.isEqual(expected, given);
    }
    return matched;
  }

  private static String abbreviated(String text) {
    return text.length() <= 12 ? "\"" + text + "\"" : "\"" + text.substring(0, 12) + "...\"";
  }

  private static byte[] hmac(byte[] key, String id, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java platform has HmacSHA256", e);
    }
  }
}
