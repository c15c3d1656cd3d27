package dev.tally.node.account;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** A digest of a request's content (everything but its request id), to tell a retry from a reuse of the id. */
public final class Fingerprint {

  private Fingerprint() {}

  /** Each record class's accessors, in component order, looked up once (reflection allocates on every lookup). */
  private static final ClassValue<Method[]> ACCESSORS = new ClassValue<>() {
    @Override
    protected Method[] computeValue(Class<?> type) {
      RecordComponent[] components = type.getRecordComponents();
      Method[] accessors = new Method[components.length];
      for (int i = 0; i < components.length; i++) accessors[i] = components[i].getAccessor();
      return accessors;
    }
  };

  /**
   * Rule 6: what makes two requests "the same". Every part is written in a canonical, unambiguous
   * form (records by their components, text with its length), so no choice of field values can make
   * two different requests read alike.
   */
  public static String of(Object... parts) {
    StringBuilder content = new StringBuilder();
    for (Object part : parts) canonical(content, part);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(content.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static void canonical(StringBuilder out, Object part) {
    if (part == null) {
      out.append('-');
    } else if (part instanceof Record record) {
      out.append(record.getClass().getSimpleName()).append('{');
      for (Method accessor : ACCESSORS.get(record.getClass())) {
        try {
          canonical(out, accessor.invoke(record, (Object[]) null));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("a record's accessor is public", e);
        }
      }
      out.append('}');
    } else if (part instanceof Collection<?> items) {
      out.append('[').append(items.size()).append(':');
      for (Object item : items) canonical(out, item);
      out.append(']');
    } else if (part instanceof Map<?, ?> map) {
      out.append('<').append(map.size()).append(':');
      new TreeMap<>(map).forEach((key, value) -> {
        canonical(out, key);
        canonical(out, value);
      });
      out.append('>');
    } else {
      String text = part.toString();
      out.append(text.length()).append('\'').append(text);
    }
  }
}
