package dev.tally.node.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The text format of Tally's bearer secrets (API keys, redemption codes): a prefix naming what the
 * secret is, 23 base62 characters from SecureRandom (≥ 136 bits), and 6 base62 characters of the
 * CRC32 of everything before them, so a secret scanner recognises a leaked one without asking Tally.
 * Tally keeps only a secret's {@link #sha256Hex(String) SHA-256}.
 */
public record SecretText(String prefix) {

  static final int RANDOM_CHARS = 23;
  static final int CHECKSUM_CHARS = 6;
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How long every secret of this format is. */
  public int length() {
    return prefix.length() + RANDOM_CHARS + CHECKSUM_CHARS;
  }

  /** A new random secret, to be shown once to whoever asked for it. */
  public String generate() {
    StringBuilder body = new StringBuilder(prefix);
    for (int i = 0; i < RANDOM_CHARS; i++) body.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
    return body + checksum(body);
  }

  /** Whether {@code text} has this format and a matching checksum: a typo is caught before any lookup. */
  public boolean wellFormed(String text) {
    int length = length();
    if (text == null || text.length() != length || !text.startsWith(prefix)) return false;
    for (int i = prefix.length(); i < length; i++) {
      if (BASE62.indexOf(text.charAt(i)) < 0) return false;
    }
    return checksum(text.substring(0, length - CHECKSUM_CHARS)).equals(text.substring(length - CHECKSUM_CHARS));
  }

  /** Enough to tell secrets apart in a listing, too little to use: the prefix, "..." and the last 4 characters. */
  public String hint(String secret) {
    return prefix + "..." + secret.substring(secret.length() - 4);
  }

  /** What Tally stores and looks a secret up by: the lowercase hex SHA-256 of its text. */
  public static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String checksum(CharSequence body) {
    CRC32 crc = new CRC32();
    crc.update(body.toString().getBytes(StandardCharsets.US_ASCII));
    long value = crc.getValue();
    char[] digits = new char[CHECKSUM_CHARS];
    for (int i = CHECKSUM_CHARS - 1; i >= 0; i--) {
      digits[i] = BASE62.charAt((int) (value % 62));
      value /= 62;
    }
    return new String(digits);
  }
}
