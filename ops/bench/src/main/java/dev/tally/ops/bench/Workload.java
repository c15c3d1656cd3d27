package dev.tally.ops.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What the load generator sends, the same for every target: K orgs whose popularity follows a Zipf law (org i is
 * picked with weight 1 / i^s), optionally one hot org that takes a set share of all traffic, and a mix of
 * reserve+commit pairs and one-step charges.
 *
 * @param orgs how many orgs besides the hot one (K ≥ 1; unused when the hot org takes all traffic)
 * @param zipfExponent s: 0 is uniform, 1 is classic Zipf (the top org of 10,000 gets ~10 % of the traffic)
 * @param hotShare the fraction of operations that go to the hot org (0 = no hot org, 1 = all traffic)
 * @param chargeShare the fraction of operations that are one-step charges; the rest are reserve+commit pairs
 * @param holdMicroCredits what each reserve holds; commits bill between half of it and all of it
 * @param orgPrefix prefix of the org ids, fresh per run so runs never share an org
 */
public record Workload(
    int orgs, double zipfExponent, double hotShare, double chargeShare, long holdMicroCredits, String orgPrefix) {

  public Workload {
    if (orgs < 1) throw new IllegalArgumentException("orgs must be at least 1");
    if (zipfExponent < 0) throw new IllegalArgumentException("zipf exponent must not be negative");
    if (hotShare < 0 || hotShare > 1) throw new IllegalArgumentException("hot share must be within [0, 1]");
    if (chargeShare < 0 || chargeShare > 1) throw new IllegalArgumentException("charge share must be within [0, 1]");
    if (holdMicroCredits < 2) throw new IllegalArgumentException("hold must be at least 2 µcr");
  }

  /** Reserve+commit pairs on {@code orgs} Zipf orgs, or on one hot org taking all traffic. */
  static Workload pairs(boolean hot, int orgs, String orgPrefix) {
    return hot ? new Workload(1, 1.0, 1.0, 0, 1_000, orgPrefix) : new Workload(orgs, 1.0, 0, 0, 1_000, orgPrefix);
  }

  /** One thing to do: a pair (reserve, then commit {@code actual}) or a one-step charge of {@code amount}. */
  public record Op(String orgId, boolean charge, long amount, long actual) {}

  /** Every org the workload may pick, hot org first when there is one; each must exist and be funded. */
  public List<String> orgIds() {
    List<String> ids = new ArrayList<>(orgs + 1);
    if (hotShare > 0) ids.add(hotOrg());
    if (hotShare < 1) for (int i = 0; i < orgs; i++) ids.add(orgId(i));
    return ids;
  }

  public String hotOrg() {
    return orgPrefix + "-hot";
  }

  String orgId(int rank) {
    return orgPrefix + "-" + rank;
  }

  @JsonProperty("description")
  String describe() {
    String orgs = hotShare >= 1 ? "one hot org"
        : String.format(Locale.ROOT, "%,d orgs zipf %.2f%s", this.orgs, zipfExponent,
            hotShare > 0 ? String.format(Locale.ROOT, " + hot org %.0f%%", hotShare * 100) : "");
    String ops = chargeShare >= 1 ? "charges"
        : chargeShare <= 0 ? "reserve+commit" : String.format(Locale.ROOT, "%.0f%% charges", chargeShare * 100);
    return orgs + ", " + ops;
  }

  /** A sampler for one thread (the random source is not shared). */
  public Sampler sampler(long seed) {
    return new Sampler(this, seed);
  }

  /** Draws operations; not thread-safe, one per generating thread. */
  public static final class Sampler {
    private final Workload workload;
    private final SplittableRandom random;
    private final double[] cumulative;
    private final String[] ids;

    Sampler(Workload workload, long seed) {
      this.workload = workload;
      this.random = new SplittableRandom(seed);
      this.cumulative = zipfCumulative(workload.orgs, workload.zipfExponent);
      this.ids = new String[workload.orgs];
      for (int i = 0; i < ids.length; i++) ids[i] = workload.orgId(i);
    }

    public Op next() {
      String org = random.nextDouble() < workload.hotShare ? workload.hotOrg() : ids[zipfRank(random.nextDouble())];
      boolean charge = random.nextDouble() < workload.chargeShare;
      long hold = workload.holdMicroCredits;
      long actual = hold / 2 + random.nextLong(hold / 2 + 1);
      return new Op(org, charge, charge ? actual : hold, actual);
    }

    /** The 0-based rank whose cumulative weight first reaches {@code u}. */
    private int zipfRank(double u) {
      int found = Arrays.binarySearch(cumulative, u);
      return Math.min(found >= 0 ? found : -found - 1, cumulative.length - 1);
    }
  }

  /** Cumulative Zipf weights, normalised to end at 1. */
  static double[] zipfCumulative(int n, double exponent) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, exponent);
      cumulative[i] = sum;
    }
    for (int i = 0; i < n; i++) cumulative[i] /= sum;
    return cumulative;
  }

  /** The share of traffic the most popular org gets (hot org if any, else Zipf rank 1). */
  public double topOrgShare() {
    return Math.max(hotShare, (1 - hotShare) * zipfCumulative(orgs, zipfExponent)[0]);
  }
}
