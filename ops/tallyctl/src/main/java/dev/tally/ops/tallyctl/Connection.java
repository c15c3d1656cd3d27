package dev.tally.ops.tallyctl;

import com.google.rpc.BadRequest;
import dev.tally.client.AccountsClient;
import dev.tally.client.TallyClient;
import dev.tally.client.TallyClientBuilder;
import dev.tally.client.TallyException;
import dev.tally.v1.ErrorReason;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Where this run reaches Tally: one node's gRPC port through the SDK (Metering and Accounts), and one
 * node's management HTTP API. Connects on first use.
 */
final class Connection implements AutoCloseable {

  /** Retries of UNAVAILABLE are safe (every mutation carries a request id) but a person is waiting. */
  private static final int ATTEMPTS = 3;

  final String node;
  final String managementAddress;
  final Duration timeout;
  /** The key sent with every gRPC call; null sends none (and the node refuses the call). */
  private final String apiKey;
  private final Tls tls;
  private TallyClient client;

  /**
   * TLS to the gRPC port: {@code on} trusting the JVM's CAs, or those of {@code ca} (a PEM file); with a
   * client certificate ({@code cert}, {@code key}) for nodes that require one. Null files are none.
   */
  record Tls(boolean on, String ca, String cert, String key) {}

  Connection(String node, String managementAddress, Duration timeout, String apiKey, Tls tls) {
    this.node = node;
    this.managementAddress = managementAddress;
    this.timeout = timeout;
    this.apiKey = apiKey;
    this.tls = tls;
  }

  TallyClient client() {
    if (client == null) {
      try {
        TallyClientBuilder builder = TallyClient.builder()
            .nodes(node)
            .defaultDeadline(timeout)
            .retries(ATTEMPTS, Duration.ofMillis(200), Duration.ofSeconds(1));
        if (apiKey != null) builder.apiKey(apiKey);
        if (tls.on()) {
          if (tls.ca() != null) builder.tls(Path.of(tls.ca())); else builder.tls();
          if (tls.cert() != null) builder.clientCertificate(Path.of(tls.cert()), Path.of(tls.key()));
        }
        client = builder.build();
      } catch (IllegalArgumentException e) {
        throw Failure.usage("--node " + node + ": " + e.getMessage());
      } catch (UncheckedIOException e) {
        // Names the file, never its content.
        throw Failure.usage(e.getMessage());
      }
    }
    return client;
  }

  /** Accounts calls, through the client: same deadline and retries. */
  AccountsClient accounts() {
    return client().accounts();
  }

  Management management() {
    return new Management(managementAddress, timeout);
  }

  /** Reads: runs one call on {@code org} (null when about no org), turning its failure into a {@link Failure}. */
  <T> T read(String org, Supplier<T> call) {
    return change(org, null, call);
  }

  /** Mutations: like {@link #read}, and when the outcome is unknown the message says how to finish it safely. */
  <T> T change(String org, String requestId, Supplier<T> call) {
    try {
      return call.get();
    } catch (TallyException e) {
      throw failure(e, org, requestId);
    }
  }

  /** The one place where a failed call becomes a line for stderr and an exit code, by its reason. */
  Failure failure(TallyException failed, String org, String requestId) {
    String unknownOutcome = requestId == null ? ""
        : "; to be sure it is applied, rerun with --request-id " + requestId + " (never applied twice)";
    com.google.rpc.Status status = failed.status();
    Status.Code code = failed.code();
    String rootCause = rootCause(failed);
    ErrorReason reason = failed.reason();
    return switch (reason) {
      case ORG_NOT_FOUND -> Failure.refused("org " + org + " not found (ORG_NOT_FOUND)");
      case INVALID_REQUEST -> {
        BadRequest bad = failed.detail(BadRequest.class).orElse(null);
        String violations = bad == null || bad.getFieldViolationsCount() == 0 ? status.getMessage()
            : bad.getFieldViolationsList().stream()
                .map(v -> v.getField() + " " + v.getDescription())
                .collect(Collectors.joining("; "));
        yield Failure.refused("invalid request (INVALID_REQUEST): " + violations);
      }
      case UNAUTHENTICATED -> Failure.refused("the node at " + node + " did not accept the API key (UNAUTHENTICATED): "
          + status.getMessage() + "; pass an admin key with --api-key or TALLY_API_KEY");
      case PERMISSION_DENIED -> Failure.refused("the API key may not do this (PERMISSION_DENIED): " + status.getMessage());
      case MEMBER_NOT_FOUND -> Failure.refused(status.getMessage() + " (tallyctl members lists them)");
      case BACKPRESSURE, TIMEOUT, NODE_STOPPING -> Failure.unreachable(status.getMessage() + " (" + reason + ")" + unknownOutcome);
      case ERROR_REASON_UNSPECIFIED -> switch (code) {
        case UNAVAILABLE -> Failure.unreachable("cannot reach the Tally node at " + node + ": "
            + (rootCause != null ? rootCause : status.getMessage()) + unknownOutcome);
        case DEADLINE_EXCEEDED -> Failure.unreachable("no answer from the Tally node at " + node + " within "
            + timeout.toSeconds() + " s" + unknownOutcome);
        default -> Failure.refused("the node at " + node + " failed the call: " + code + " " + status.getMessage());
      };
      default -> Failure.refused(status.getMessage() + " (" + reason + ")");
    };
  }

  /**
   * What went wrong underneath, e.g. "Connection refused" rather than gRPC's "io exception"; null
   * when nothing is known beyond the status.
   */
  private static String rootCause(Throwable thrown) {
    for (Throwable cause = thrown.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.ConnectException && cause.getMessage() != null) {
        // netty's native transport says "finishConnect(..) failed with error(-111): Connection refused"
        String message = cause.getMessage();
        int errno = message.lastIndexOf("): ");
        return errno < 0 ? message : message.substring(errno + 3);
      }
    }
    for (Throwable cause = thrown.getCause(); cause != null; cause = cause.getCause()) {
      if (!(cause instanceof StatusRuntimeException) && cause.getMessage() != null) return cause.getMessage();
    }
    return null;
  }

  @Override
  public void close() {
    if (client != null) client.close();
  }
}
