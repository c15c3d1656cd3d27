package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import dev.tally.v1.CreditPackage;
import dev.tally.v1.ListPackagesResponse;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.PurchasePackageResponse;
import java.math.BigDecimal;

/** Credit packages: the catalog, and buying one for an org once its payment settled (admin key). */
final class PackageCommands {

  private PackageCommands() {}

  static void list(Invocation run) {
    ListPackagesResponse packages = run.tally().read(null, () -> run.tally().accounts().listPackages());
    if (run.out().json) {
      run.out().document(ApiJson.of(packages));
      return;
    }
    Table table = new Table("PACKAGE", "CREDITS", "PRICE", "VALID FOR", "PLANS").alignRight(1);
    for (CreditPackage sold : packages.getPackagesList()) {
      table.row(sold.getName(),
          sold.getCustom() ? format(sold.getMinCustomAmount()) + " to " + format(sold.getMaxCustomAmount()) : format(sold.getCredits()),
          sold.hasPrice() ? price(sold) : "custom",
          sold.hasValidity() ? validity(sold.getValidity().getSeconds()) : "never expires",
          sold.getPlansCount() == 0 ? "every plan" : String.join(", ", sold.getPlansList()));
    }
    run.out().table(table);
  }

  static void buy(Invocation run) {
    String org = run.operand(0);
    PurchasePackageRequest.Builder request = PurchasePackageRequest.newBuilder()
        .setOrgId(org)
        .setPackageName(run.operand(1))
        .setPaymentReference(run.option("payment-reference").orElseThrow());
    run.option("credits").ifPresent(credits -> request.setAmount(CreditAmount.parse(credits)));
    // The payment reference is the purchase's idempotency key: rerunning the command is always safe.
    PurchasePackageResponse bought = run.tally().change(org, null, () -> run.tally().accounts().purchasePackage(request.build()));
    if (run.out().json) {
      run.out().document(ApiJson.of(bought));
      return;
    }
    run.out().line(bought.getReplayed()
        ? "payment " + request.getPaymentReference() + " was already granted; nothing granted now"
        : "granted package " + bought.getPackageName() + " to " + bought.getOrgId());
    run.out().table(new Table()
        .row("grant", bought.getGrantId())
        .row("credits", format(bought.getAmount()))
        .row("effective at", AccountCommands.time(bought.getEffectiveAt()))
        .row("expires at", bought.hasExpiresAt() ? AccountCommands.time(bought.getExpiresAt()) : "never"));
  }

  private static String validity(long seconds) {
    return seconds % 86_400 == 0 ? seconds / 86_400 + " days" : seconds + " s";
  }

  private static String price(CreditPackage sold) {
    // Minor units to a decimal: 4900 USD cents prints 49.00 USD.
    int digits = java.util.Currency.getAvailableCurrencies().stream()
        .filter(currency -> currency.getCurrencyCode().equals(sold.getPrice().getCurrency()))
        .mapToInt(java.util.Currency::getDefaultFractionDigits)
        .findFirst().orElse(2);
    return BigDecimal.valueOf(sold.getPrice().getMinorUnits(), Math.max(0, digits)).toPlainString() + " " + sold.getPrice().getCurrency();
  }
}
