package dev.tally.node.it;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Random requests of any message type, as a careless or hostile client would send them: every
 * field of every type, mostly at its extremes (0, ±1, the int64 ends, the API's limits and one past
 * them, far timestamps, nanos out of range, empty, 100 KB and control-character strings, unknown
 * ids), and strings named like ids drawn from the ids the test knows, so requests reach real orgs,
 * holds and grants as well as missing ones. Read from the proto descriptors, so a new RPC or field
 * is fuzzed without a change here.
 */
final class RandomRequests {

  private static final long[] LONGS = {
      0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, 1_000_000,
      1_000_000_000_000L, 1_000_000_000_001L, 1_000_000_000_000_000L, 1_000_000_000_000_001L, 600_000_000_000_000_000L};
  private static final int[] INTS = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 100, 1000, 1001, 10_000, 10_001};
  private static final long[] SECONDS = {
      0, -1, Long.MIN_VALUE, Long.MAX_VALUE, -62_135_596_800L, -62_135_596_801L, 253_402_300_799L, 253_402_300_800L,
      1_800_000_000L, 1_900_000_000L, 3_600, 60, -60};
  private static final int[] NANOS = {0, -1, 1, 999_999_999, 1_000_000_000, Integer.MIN_VALUE, Integer.MAX_VALUE};
  private static final List<String> HOSTILE_TEXT = List.of(
      "", " ", "acme\n2026-12-01 INFO granted 1000000 credits", "\u001b[31mred\u001b[0m", "gpt\u202e4o", "a\u0000b",
      "\ud83d\ude00", "x".repeat(129), "x".repeat(257), "../../etc/passwd", "'; DROP TABLE tally.api_keys; --",
      "%s%n%x", "tk_live_notreallyakey", "*", "*".repeat(3));

  private final Random random;
  private final List<String> knownIds;

  /** {@code knownIds}: org, reservation, grant, key and plan ids and model names that exist, to pick from. */
  RandomRequests(Random random, List<String> knownIds) {
    this.random = random;
    this.knownIds = knownIds;
  }

  DynamicMessage of(Descriptor type) {
    return message(type, 0);
  }

  private DynamicMessage message(Descriptor type, int depth) {
    DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
    if (type.getFullName().equals("google.protobuf.Timestamp") || type.getFullName().equals("google.protobuf.Duration")) {
      return message.setField(type.findFieldByName("seconds"), pick(SECONDS) + (random.nextBoolean() ? 0 : random.nextInt(1_000_000)))
          .setField(type.findFieldByName("nanos"), NANOS[random.nextInt(NANOS.length)])
          .build();
    }
    for (FieldDescriptor field : type.getFields()) {
      if (random.nextInt(10) < 3) continue; // unset
      if (field.isRepeated()) {
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) message.addRepeatedField(field, value(field, depth));
      } else if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || depth < 3) {
        message.setField(field, value(field, depth));
      }
    }
    return message.build();
  }

  private Object value(FieldDescriptor field, int depth) {
    return switch (field.getJavaType()) {
      case LONG -> random.nextInt(4) == 0 ? random.nextLong() : pick(LONGS);
      case INT -> random.nextInt(4) == 0 ? random.nextInt() : INTS[random.nextInt(INTS.length)];
      case BOOLEAN -> random.nextBoolean();
      case DOUBLE -> random.nextBoolean() ? Double.NaN : random.nextDouble() * pick(LONGS);
      case FLOAT -> random.nextBoolean() ? Float.NEGATIVE_INFINITY : random.nextFloat();
      case STRING -> text(field.getName());
      case BYTE_STRING -> ByteString.copyFrom(new byte[random.nextInt(64)]);
      case ENUM -> enumValue(field);
      case MESSAGE -> message(field.getMessageType(), depth + 1);
    };
  }

  private EnumValueDescriptor enumValue(FieldDescriptor field) {
    List<EnumValueDescriptor> values = field.getEnumType().getValues();
    return values.get(random.nextInt(values.size()));
  }

  private String text(String fieldName) {
    int kind = random.nextInt(20);
    boolean idLike = fieldName.endsWith("_id") || fieldName.equals("plan") || fieldName.equals("model")
        || fieldName.equals("key") || fieldName.equals("call_type") || fieldName.equals("role");
    if (idLike && kind < 12) return knownIds.get(random.nextInt(knownIds.size()));
    if (kind < 14) return UUID.randomUUID().toString();
    if (kind < 18) return HOSTILE_TEXT.get(random.nextInt(HOSTILE_TEXT.size()));
    if (kind < 19) return "y".repeat(100_000);
    return random.ints(random.nextInt(40), 0x20, 0x7f)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
  }

  private long pick(long[] values) {
    return values[random.nextInt(values.length)];
  }
}
