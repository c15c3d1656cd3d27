/**
 * The Tally client SDK: meter AI calls against a Tally cluster.
 *
 * <p>Start with {@link dev.tally.client.TallyClient}: {@code reserve} an {@link dev.tally.client.Estimate}
 * before a call, then {@link dev.tally.client.Reservation#commit commit} its {@link dev.tally.client.Usage}
 * (or let try-with-resources release the hold when the call fails); or wrap the call with
 * {@code meter}. Failures are unchecked {@link dev.tally.client.TallyException}s, one subclass per
 * thing a caller may act on. Amounts are {@code long} micro-credits ({@link dev.tally.v1.Credits}).
 */
package dev.tally.client;
