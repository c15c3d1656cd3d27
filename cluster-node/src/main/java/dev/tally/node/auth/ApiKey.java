package dev.tally.node.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * A Tally API key: {@link SecretText} with prefix {@code tk_}, e.g. {@code tk_3kTb9QwM0xV1aZ8pLr2Nd7Y0sH2kP4}. The
 * key carries no role letter: the role lives only in the key store, so a key cannot claim one.
 * Tally keeps only {@link #sha256()} and {@link #hint()}; {@link #toString()} never shows the key.
 */
public final class ApiKey {

  public static final String PREFIX = "tk_";
  static final SecretText FORMAT = new SecretText(PREFIX);
  static final int LENGTH = FORMAT.length();

  private final String key;

  private ApiKey(String key) {
    this.key = key;
  }

  /** A new random key, to be shown once to whoever asked for it. */
  public static ApiKey generate() {
    return new ApiKey(FORMAT.generate());
  }

  /** The key when {@code text} has the format and a matching checksum; empty otherwise. */
  public static Optional<ApiKey> parse(String text) {
    return FORMAT.wellFormed(text) ? Optional.of(new ApiKey(text)) : Optional.empty();
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
    return FORMAT.hint(key);
  }

  static String sha256Hex(String text) {
    return SecretText.sha256Hex(text);
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
