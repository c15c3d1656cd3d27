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
  void anUnlabelledHistogramIsReadAsBefore() {
    NodeMetrics.Distribution journal = NodeMetrics.parse(AFTER).since(NodeMetrics.parse(BEFORE)).journalWriteMs();
    assertEquals(4, journal.count());
    assertEquals(1.5, journal.mean(), 1e-9);
    assertEquals(1.0, journal.p50());
    assertEquals(10.0, journal.p99());
  }
}
