package dev.tally.node.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A Tally API key: {@code tk_} + 23 base62 characters from SecureRandom (≥ 136 bits) + 6 base62
 * characters of the CRC32 of everything before them, e.g. {@code tk_3kTb9QwM0xV1aZ8pLr2Nd7Y0sH2kP4}.
 * The prefix and the checksum let a secret scanner recognise a leaked key without asking Tally. The
 * key carries no role letter: the role lives only in the key store, so a key cannot claim one.
 * Tally keeps only {@link #sha256()} and {@link #hint()}; {@link #toString()} never shows the key.
 */
public final class ApiKey {

  public static final String PREFIX = "tk_";
  static final int RANDOM_CHARS = 23;
  static final int CHECKSUM_CHARS = 6;
  static final int LENGTH = PREFIX.length() + RANDOM_CHARS + CHECKSUM_CHARS;
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String key;

  private ApiKey(String key) {
    this.key = key;
  }

  /** A new random key, to be shown once to whoever asked for it. */
  public static ApiKey generate() {
    StringBuilder body = new StringBuilder(PREFIX);
    for (int i = 0; i < RANDOM_CHARS; i++) body.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
    return new ApiKey(body + checksum(body));
  }

  /** The key when {@code text} has the format and a matching checksum; empty otherwise. */
  public static Optional<ApiKey> parse(String text) {
    if (text == null || text.length() != LENGTH || !text.startsWith(PREFIX)) return Optional.empty();
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      if (BASE62.indexOf(text.charAt(i)) < 0) return Optional.empty();
    }
    String body = text.substring(0, LENGTH - CHECKSUM_CHARS);
    if (!checksum(body).equals(text.substring(LENGTH - CHECKSUM_CHARS))) return Optional.empty();
    return Optional.of(new ApiKey(text));
  }

  /** The key itself: give it to its owner once, never log it. */
  public String secret() {
    return key;
  }

  /** What the key store keys on: the lowercase hex SHA-256 of the key's text. */
  public String sha256() {
    return sha256Hex(key);
  }

  /** Enough to tell keys apart in a listing, too little to use: {@code tk_...} and the last 4 characters. */
  public String hint() {
    return PREFIX + "..." + key.substring(LENGTH - 4);
  }

  static String sha256Hex(String text) {
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

  @Override
  public boolean equals(Object other) {
    return other instanceof ApiKey that && MessageDigest.isEqual(
        key.getBytes(StandardCharsets.US_ASCII), that.key.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  @Override
  public String toString() {
    return "ApiKey[" + hint() + "]";
  }
}
