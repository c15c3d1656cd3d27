package dev.tally.ops.tallyctl;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * API messages as JSON for scripts: the .proto field names, numbers as JSON integers (not the
 * strings of the proto3 JSON mapping), times as UTC ISO-8601, and every micro-credit amount named
 * so: {@code available} becomes {@code available_micro_credits}. Fields at their default value are
 * written too, so a script finds {@code debt_micro_credits: 0} rather than nothing.
 */
final class ApiJson {

  /** The fields that hold micro-credits (ledger.proto, accounts.proto, metering.proto). */
  private static final Set<String> MICRO_CREDITS = Set.of(
      "tally.v1.Balance.available", "tally.v1.Balance.held", "tally.v1.Balance.debt",
      "tally.v1.Balance.granted_remaining",
      "tally.v1.Grant.amount", "tally.v1.Grant.remaining",
      "tally.v1.Draw.amount",
      "tally.v1.Cost.amount",
      "tally.v1.LedgerEntry.amount", "tally.v1.LedgerEntry.debt_incurred",
      "tally.v1.Limits.credits_per_minute",
      "tally.v1.Plan.trial_credits", "tally.v1.Plan.monthly_allocation", "tally.v1.Plan.low_balance_floor",
      "tally.v1.PeriodUsage.allocation", "tally.v1.PeriodUsage.charged", "tally.v1.PeriodUsage.monthly_allocation",
      "tally.v1.PeriodUsage.charged_by_model", "tally.v1.PeriodUsage.charged_by_call_type",
      "tally.v1.Alert.period_charged", "tally.v1.Alert.available",
      "tally.v1.VoidGrantResponse.voided",
      "tally.v1.GrantStatement.used", "tally.v1.GrantStatement.expired", "tally.v1.GrantStatement.voided",
      "tally.v1.CreditPackage.credits", "tally.v1.CreditPackage.min_custom_amount", "tally.v1.CreditPackage.max_custom_amount",
      "tally.v1.PurchasePackageResponse.amount", "tally.v1.RedeemCodeResponse.amount",
      "tally.v1.CreditRequest.amount", "tally.v1.CreditRequest.charged_when_filed", "tally.v1.CreditRequest.base_when_filed",
      "tally.v1.RedemptionCodeInfo.credits",
      "tally.v1.DirectoryEntry.granted", "tally.v1.DirectoryEntry.used", "tally.v1.DirectoryEntry.expired",
      "tally.v1.DirectoryEntry.voided", "tally.v1.DirectoryEntry.balance", "tally.v1.DirectoryEntry.period_used",
      "tally.v1.DirectoryEntry.debt", "tally.v1.DirectoryEntry.previous_period_used",
      "tally.v1.DirectoryEntry.usage_period_used",
      "tally.v1.UsageSums.charged",
      "tally.v1.Statement.opening_balance", "tally.v1.Statement.granted", "tally.v1.Statement.granted_by_kind",
      "tally.v1.Statement.used", "tally.v1.Statement.used_by_model", "tally.v1.Statement.used_by_call_type",
      "tally.v1.Statement.expired", "tally.v1.Statement.voided", "tally.v1.Statement.closing_balance",
      "tally.v1.Statement.debt",
      "tally.v1.CommitResponse.charged", "tally.v1.CommitResponse.released", "tally.v1.CommitResponse.debt_incurred",
      "tally.v1.ReleaseResponse.released",
      "tally.v1.ChargeResponse.charged",
      "tally.v1.ExtendReservationResponse.held",
      "tally.v1.ModelPrice.input_per_million", "tally.v1.ModelPrice.output_per_million",
      "tally.v1.ModelPrice.cache_read_per_million", "tally.v1.ModelPrice.cache_write_per_million",
      "tally.v1.PriceBook.call_types",
      "tally.v1.ReferralTerms.fixed", "tally.v1.ReferralTerms.cap_per_referred_org", "tally.v1.ReferralTerms.cap_per_period",
      "tally.v1.Referral.reward_balance", "tally.v1.Referral.rewards_earned", "tally.v1.Referral.rewards_transferred",
      "tally.v1.Referral.rewards_earned_this_period");

  private ApiJson() {}

  static JsonObject of(Message message) {
    JsonObject json = new JsonObject();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.hasPresence() && !message.hasField(field)) continue;  // unset messages, optionals and oneofs
      String name = MICRO_CREDITS.contains(field.getFullName()) ? field.getName() + "_micro_credits" : field.getName();
      json.add(name, field(field, message.getField(field)));
    }
    return json;
  }

  static JsonArray of(List<? extends Message> messages) {
    JsonArray json = new JsonArray();
    messages.forEach(message -> json.add(of(message)));
    return json;
  }

  private static JsonElement field(FieldDescriptor field, Object value) {
    if (field.isMapField()) {
      JsonObject map = new JsonObject();
      FieldDescriptor key = field.getMessageType().findFieldByNumber(1);
      FieldDescriptor mapValue = field.getMessageType().findFieldByNumber(2);
      for (Object entry : (List<?>) value) {
        Message pair = (Message) entry;
        map.add(String.valueOf(pair.getField(key)), value(mapValue, pair.getField(mapValue)));
      }
      return map;
    }
    if (field.isRepeated()) {
      JsonArray array = new JsonArray();
      for (Object element : (List<?>) value) array.add(value(field, element));
      return array;
    }
    return value(field, value);
  }

  private static JsonElement value(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case MESSAGE -> value instanceof Timestamp time
          ? new JsonPrimitive(Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).toString())
          : of((Message) value);
      case ENUM -> new JsonPrimitive(((EnumValueDescriptor) value).getName());
      case INT, LONG, FLOAT, DOUBLE -> new JsonPrimitive((Number) value);
      case BOOLEAN -> new JsonPrimitive((Boolean) value);
      case STRING -> new JsonPrimitive((String) value);
      case BYTE_STRING -> new JsonPrimitive(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
    };
  }
}
