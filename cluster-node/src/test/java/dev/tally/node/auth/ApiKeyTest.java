package dev.tally.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyTest {

  @Test
  void aNewKeyIsThePrefixRandomBase62AndAChecksum() {
    String key = ApiKey.generate().secret();

    assertTrue(key.matches("tk_[0-9A-Za-z]{29}"), key.length() + " characters");
    assertEquals(key, ApiKey.parse(key).orElseThrow().secret());
  }

  @Test
  void keysDoNotRepeat() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 10_000; i++) assertTrue(keys.add(ApiKey.generate().secret()));
  }

  @Test
  void theChecksumRejectsAnyChangedCharacter() {
    String key = ApiKey.generate().secret();
    for (int i = ApiKey.PREFIX.length(); i < key.length(); i++) {
      char changed = key.charAt(i) == 'a' ? 'b' : 'a';
      String typo = key.substring(0, i) + changed + key.substring(i + 1);
      assertFalse(ApiKey.parse(typo).isPresent(), "changed at " + i);
    }
  }

  @Test
  void malformedTextIsNoKey() {
    String key = ApiKey.generate().secret();
    for (String text : new String[] {null, "", "tk_", key.substring(1), "sk" + key.substring(2), key + "0", key.replace('t', 'T'),
        key.substring(0, 10) + "-" + key.substring(11)}) {
      assertFalse(ApiKey.parse(text).isPresent(), String.valueOf(text));
    }
  }

  @Test
  void theHintShowsThePrefixAndTheLastFourCharactersOnly() {
    ApiKey key = ApiKey.generate();

    assertEquals("tk_..." + key.secret().substring(key.secret().length() - 4), key.hint());
    assertFalse(key.toString().contains(key.secret()));
  }

  @Test
  void theStoredHashIsTheSha256OfTheKeyAndNeverTheKey() {
    ApiKey key = ApiKey.generate();

    assertTrue(key.sha256().matches("[0-9a-f]{64}"));
    assertNotEquals(key.secret(), key.sha256());
    assertFalse(key.sha256().contains(key.secret().substring(3)));
    // SHA-256("abc"), FIPS 180-2 appendix B.1
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKey.sha256Hex("abc"));
  }
}
