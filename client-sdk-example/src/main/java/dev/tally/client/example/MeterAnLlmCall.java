package dev.tally.client.example;

import dev.tally.client.Estimate;
import dev.tally.client.Reservation;
import dev.tally.client.TallyClient;
import dev.tally.client.Usage;
import dev.tally.v1.Balance;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import java.io.IOException;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * Meters a simulated LLM call end to end against a running node: reserve an estimate, run the
 * call, commit its token usage; the same as a one-liner; a streaming call cut off midway (billed
 * for what it delivered); and a failed call (not billed).
 *
 * <p>Run it against a local node ({@code ops/run-local.sh}, see the README):
 * <pre>
 * TALLY_API_KEY=$(cat .tally-data/admin-key) java -cp "$(cat client-sdk-example/target/runtime.classpath):client-sdk-example/target/classes" \
 *     dev.tally.client.example.MeterAnLlmCall 127.0.0.1:50051
 * </pre>
 */
public final class MeterAnLlmCall {

  private static final String MODEL = "gpt-4o";
  private static final long DEMO_GRANT = Credits.of(50);

  private MeterAnLlmCall() {}

  /**
   * Meters calls for a fresh demo org on the node at {@code args[0]} (default 127.0.0.1:50051), with
   * the admin API key {@code args[1]} or, without it, the environment variable TALLY_API_KEY (it
   * creates the org and grants to it).
   */
  public static void main(String[] args) throws Exception {
    String node = args.length > 0 ? args[0] : "127.0.0.1:" + TallyClient.DEFAULT_PORT;
    String apiKey = args.length > 1 ? args[1] : System.getenv("TALLY_API_KEY");
    if (apiKey == null || apiKey.isBlank()) throw new IllegalStateException("set TALLY_API_KEY to an admin API key");
    try (TallyClient tally = TallyClient.builder().nodes(node).apiKey(apiKey).build()) {
      String org = createDemoOrg(tally);
      System.out.println("org " + org + ": " + show(tally.balance(org).getBalance()));
      meterCalls(tally, org);
    }
  }

  /** The four ways a call meets Tally, for one org. */
  public static void meterCalls(TallyClient tally, String org) {
    SimulatedLlm llm = new SimulatedLlm();
    String prompt = "Write a haiku about credits.";

    // 1. Reserve what the call may cost, run it, commit what it used.
    try (Reservation reservation = tally.reserve(org, Estimate.tokens(MODEL, llm.tokens(prompt), 500))) {
      Completion completion = llm.complete(prompt);
      CommitResponse committed = reservation.commit(Usage.tokens(MODEL, completion.inputTokens(), completion.outputTokens()));
      System.out.println("1. call billed " + Credits.format(committed.getCharged()) + " credits: " + show(committed.getBalance()));
    }

    // 2. The same in one line.
    Completion completion = tally.meter(org, Estimate.tokens(MODEL, llm.tokens(prompt), 500),
        () -> llm.complete(prompt),
        done -> Usage.tokens(MODEL, done.inputTokens(), done.outputTokens()));
    System.out.println("2. one-liner got \"" + completion.text() + "\": " + show(tally.balance(org).getBalance()));

    // 3. A stream that breaks after 40 tokens: those 40 are billed, the rest of the hold returns.
    try (Reservation reservation = tally.reserve(org, Estimate.tokens(MODEL, llm.tokens(prompt), 500))) {
      llm.stream(prompt, 40, outputSoFar ->
          reservation.usedSoFar(Usage.tokens(MODEL, llm.tokens(prompt), outputSoFar)));
    } catch (IOException streamBroke) {
      System.out.println("3. stream broke (" + streamBroke.getMessage() + "), billed what it delivered: "
          + show(tally.balance(org).getBalance()));
    }

    // 4. A call that fails is not billed: leaving the block without a commit releases the hold.
    try {
      tally.meter(org, Estimate.tokens(MODEL, llm.tokens(prompt), 500),
          () -> llm.fail(prompt),
          done -> Usage.tokens(MODEL, done.inputTokens(), done.outputTokens()));
    } catch (IOException callFailed) {
      System.out.println("4. call failed (" + callFailed.getMessage() + "), nothing billed: "
          + show(tally.balance(org).getBalance()));
    }
  }

  /**
   * What operators do with the CLI; the example does it itself to be self-contained. The org is on the
   * default plan, whose trial credits come with it, and gets {@link #DEMO_GRANT} more.
   */
  static String createDemoOrg(TallyClient tally) {
    long credits = DEMO_GRANT;
    String org = "example-" + UUID.randomUUID().toString().substring(0, 8);
    tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setDisplayName("Example org").build());
    tally.accounts().grantCredits(GrantCreditsRequest.newBuilder()
        .setOrgId(org).setKind(GrantKind.PURCHASE).setAmount(credits).build());
    return org;
  }

  private static String show(Balance balance) {
    return "available " + Credits.format(balance.getAvailable()) + ", held " + Credits.format(balance.getHeld());
  }

  /** What a completion returns: text and its token counts. */
  record Completion(String text, long inputTokens, long outputTokens) {}

  /** Stands in for an LLM API: answers, streams or fails, and counts tokens like one. */
  static final class SimulatedLlm {

    long tokens(String text) {
      return text.split("\\s+").length * 4L / 3 + 1;
    }

    Completion complete(String prompt) {
      String text = "Credits held, then spent / only what the model used / the rest flows back home";
      return new Completion(text, tokens(prompt), tokens(text));
    }

    /** Streams output tokens one by one, reporting the count so far, and breaks after {@code breakAfter}. */
    void stream(String prompt, int breakAfter, IntConsumer outputSoFar) throws IOException {
      for (int token = 1; token <= breakAfter; token++) outputSoFar.accept(token);
      throw new IOException("connection reset after " + breakAfter + " tokens");
    }

    Completion fail(String prompt) throws IOException {
      throw new IOException("model overloaded");
    }
  }
}
