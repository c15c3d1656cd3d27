package dev.tally.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What two scrapes of a node's Prometheus text say about the window between them. */
class NodeMetricsTest {

  private static final String BEFORE = """
      # HELP tally_grpc_server_calls_seconds gRPC calls served, by method and status
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Reserve",le="0.001"} 10
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Reserve",le="0.01"} 10
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Reserve",le="+Inf"} 10
      tally_grpc_server_calls_seconds_count{code="OK",method="tally.v1.Metering/Reserve"} 10
      tally_grpc_server_calls_seconds_sum{code="OK",method="tally.v1.Metering/Reserve"} 0.005
      tally_journal_write_seconds_bucket{le="0.001"} 0
      tally_journal_write_seconds_bucket{le="0.01"} 0
      tally_journal_write_seconds_bucket{le="+Inf"} 0
      tally_journal_write_seconds_count 0
      tally_journal_write_seconds_sum 0
      jvm_gc_memory_allocated_bytes_total 1048576
      jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 3
      jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.1
      """;

  private static final String AFTER = """
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Reserve",le="0.001"} 60
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Reserve",le="0.01"} 110
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Reserve",le="+Inf"} 110
      tally_grpc_server_calls_seconds_count{code="OK",method="tally.v1.Metering/Reserve"} 110
      tally_grpc_server_calls_seconds_sum{code="OK",method="tally.v1.Metering/Reserve"} 0.405
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Commit",le="0.001"} 0
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Commit",le="0.01"} 0
      tally_grpc_server_calls_seconds_bucket{code="OK",method="tally.v1.Metering/Commit",le="+Inf"} 100
      tally_grpc_server_calls_seconds_count{code="OK",method="tally.v1.Metering/Commit"} 100
      tally_grpc_server_calls_seconds_sum{code="OK",method="tally.v1.Metering/Commit"} 2.0
      tally_grpc_server_calls_seconds_bucket{code="RESOURCE_EXHAUSTED",method="tally.v1.Metering/Reserve",le="+Inf"} 1000
      tally_grpc_server_calls_seconds_count{code="RESOURCE_EXHAUSTED",method="tally.v1.Metering/Reserve"} 1000
      tally_journal_write_seconds_bucket{le="0.001"} 3
      tally_journal_write_seconds_bucket{le="0.01"} 4
      tally_journal_write_seconds_bucket{le="+Inf"} 4
      tally_journal_write_seconds_count 4
      tally_journal_write_seconds_sum 0.006
      jvm_gc_memory_allocated_bytes_total 1.048576E8
      jvm_gc_memory_promoted_bytes_total 2097152
      jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 5
      jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.15
      jvm_gc_pause_seconds_count{action="end of major GC",cause="G1 Compaction Pause",gc="G1 Old Generation"} 1
      jvm_gc_pause_seconds_sum{action="end of major GC",cause="G1 Compaction Pause",gc="G1 Old Generation"} 0.2
      """;

  @Test
  void theServedCallsAreTheReservesAndTheCommitsAnsweredOkSinceTheFirstScrape() {
    NodeMetrics.Window window = NodeMetrics.parse(AFTER).since(NodeMetrics.parse(BEFORE));
    NodeMetrics.Distribution reserves = window.reservesServedMs();
    assertEquals(100, reserves.count(), "refusals are not counted");
    assertEquals(4.0, reserves.mean(), 1e-9, "0.4 s over 100 reserves");
    assertEquals(1.0, reserves.p50(), "50 of the window's reserves within 1 ms");
    assertEquals(10.0, reserves.p99());
    NodeMetrics.Distribution commits = window.commitsServedMs();
    assertEquals(100, commits.count(), "a series the first scrape did not have counts from zero");
    assertEquals(20.0, commits.mean(), 1e-9);
    assertEquals(Double.POSITIVE_INFINITY, commits.p50(), "beyond every finite bucket");
  }

  @Test
  void theCollectionsAreWhatTheJvmDidInTheWindowEveryCollectorTogether() {
    NodeMetrics.Collections collections = NodeMetrics.parse(AFTER).since(NodeMetrics.parse(BEFORE)).collections();
    assertEquals(99.0, collections.allocatedMb(), 1e-9);
    assertEquals(2.0, collections.promotedMb(), 1e-9, "a counter the first scrape did not have counts from zero");
    assertEquals(3, collections.pauses(), "two young pauses and a full one");
    assertEquals(250.0, collections.pausedMs(), 1e-9);
  }

  @Test
  void anUnlabelledHistogramIsReadAsBefore() {
    NodeMetrics.Distribution journal = NodeMetrics.parse(AFTER).since(NodeMetrics.parse(BEFORE)).journalWriteMs();
    assertEquals(4, journal.count());
    assertEquals(1.5, journal.mean(), 1e-9);
    assertEquals(1.0, journal.p50());
    assertEquals(10.0, journal.p99());
  }
}
