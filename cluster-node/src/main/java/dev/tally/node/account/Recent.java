package dev.tally.node.account;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pcollections.AmortizedPQueue;
import org.pcollections.PQueue;
import scala.Option;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.HashMap$;

/**
 * Entries by key, forgotten in the order they were added: the shape of an org's request memory.
 * Persistent: every change returns a new value and leaves this one as it was.
 *
 * <p>Built on Scala's immutable {@code HashMap} (a hash trie, from the Scala library Pekko already
 * brings: a lookup reads ~3 nodes for 20,000 entries) and pcollections' {@code AmortizedPQueue}
 * (reading, adding and dropping the oldest take constant time). pcollections' {@code OrderedPMap}
 * did the same with two balanced trees, and its lookups, inserts and removals were 30 % of a hot
 * org's CPU samples. Not Scala's {@code Queue}: its {@code head} walks the whole queue until the
 * first removal, on every call.
 */
final class Recent<V> {

  private static final Recent<?> EMPTY = new Recent<>(HashMap$.MODULE$.empty(), AmortizedPQueue.empty());

  private final HashMap<String, V> byKey;
  private final PQueue<String> oldestFirst;

  private Recent(HashMap<String, V> byKey, PQueue<String> oldestFirst) {
    this.byKey = byKey;
    this.oldestFirst = oldestFirst;
  }

  @SuppressWarnings("unchecked")
  static <V> Recent<V> empty() {
    return (Recent<V>) EMPTY;
  }

  /** The entry of this key, or null. */
  V get(String key) {
    Option<V> value = byKey.get(key);
    return value.isEmpty() ? null : value.get();
  }

  int size() {
    return byKey.size();
  }

  boolean isEmpty() {
    return byKey.isEmpty();
  }

  /** With this entry; a key already present keeps its place in the order. */
  Recent<V> plus(String key, V value) {
    HashMap<String, V> updated = byKey.updated(key, value);
    // The same size means the key was there already (one walk of the trie, not a lookup and then an update).
    PQueue<String> order = updated.size() == byKey.size() ? oldestFirst : oldestFirst.plus(key);
    return new Recent<>(updated, order);
  }

  /** The entry added longest ago; only when not empty. */
  V oldest() {
    return byKey.apply(oldestFirst.peek());
  }

  /** The key of the entry added longest ago; only when not empty. */
  String oldestKey() {
    return oldestFirst.peek();
  }

  /** Without the entry added longest ago; only when not empty. */
  Recent<V> withoutOldest() {
    return new Recent<>(byKey.removed(oldestFirst.peek()), oldestFirst.minus());
  }

  /**
   * The entries of {@code earlier}, which this one came from by adding and dropping the oldest,
   * that this one no longer holds, oldest first: they lead {@code earlier}'s order, so the walk
   * stops at the first entry still held.
   *
   * <p>Most calls drop nothing (an org whose memory is not full), and those return before walking:
   * in a queue that was only ever added to, the front holds the first entry alone, so the walk's
   * first step turns the whole rest of the queue around to move past it (in a copy, as the queue is
   * persistent) — on every call, a measurable share of a node's CPU (BENCHMARKS.md, issue 22).
   */
  List<Map.Entry<String, V>> droppedFrom(Recent<V> earlier) {
    if (earlier.isEmpty() || byKey.contains(earlier.oldestFirst.peek())) return List.of();
    List<Map.Entry<String, V>> dropped = new ArrayList<>();
    for (String key : earlier.oldestFirst) {
      if (byKey.contains(key)) break;
      dropped.add(Map.entry(key, earlier.byKey.apply(key)));
    }
    return dropped;
  }

  /** The keys oldest first, read as the walk goes (stopping early reads no more; no entry is looked up). */
  Iterable<String> keysOldestFirst() {
    return oldestFirst::iterator;
  }

  /** Every entry, oldest first. */
  List<Map.Entry<String, V>> entries() {
    List<Map.Entry<String, V>> entries = new ArrayList<>(byKey.size());
    for (String key : oldestFirst) entries.add(Map.entry(key, byKey.apply(key)));
    return entries;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Recent<?> that && entries().equals(that.entries());
  }

  @Override
  public int hashCode() {
    return byKey.hashCode();
  }

  @Override
  public String toString() {
    return entries().toString();
  }
}
