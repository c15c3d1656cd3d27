package dev.tally.client;

/**
 * The AI call that {@link TallyClient#meter} runs between reserve and commit. Like
 * {@link java.util.concurrent.Callable}, but the checked exception it throws is a type parameter,
 * so {@code meter} throws exactly what the call throws (nothing checked for a call that throws
 * nothing checked). A {@code Callable} fits as {@code callable::call}.
 *
 * @param <T> what the call returns
 * @param <E> the checked exception it may throw
 */
@FunctionalInterface
public interface MeteredCall<T, E extends Exception> {

  /** Runs the AI call. */
  T call() throws E;
}
