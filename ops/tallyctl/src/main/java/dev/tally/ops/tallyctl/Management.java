package dev.tally.ops.tallyctl;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A node's Pekko Management HTTP API ({@code pekko-management-cluster-http}), read-only: the
 * cluster's members and the shards this node hosts. Making a member leave is a gRPC call (an admin key's).
 */
final class Management {

  /** {@code GET /cluster/members}, as the node sees the cluster. */
  record Members(String selfNode, String leader, String oldest, List<Member> members, List<Unreachable> unreachable) {}

  record Member(String node, String nodeUid, String status, List<String> roles) {}

  record Unreachable(String node, List<String> observedBy) {}

  /** {@code GET /cluster/shards/{type}}: despite its name, {@code regions} lists this node's shards. */
  record ShardDetails(List<ShardInfo> regions) {}

  record ShardInfo(String shardId, int numEntities) {}

  private static final Gson JSON = new Gson();

  private final String address;
  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  Management(String address, Duration timeout) {
    this.address = address;
    this.timeout = timeout;
    try {
      this.base = URI.create(address.contains("://") ? address : "http://" + address);
      if (base.getHost() == null) throw new IllegalArgumentException("no host");
    } catch (IllegalArgumentException e) {
      throw Failure.usage("--management " + address + ": not a host:port");
    }
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  Members members() {
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/cluster/members")).GET());
    if (response.statusCode() != 200) throw unexpected(response);
    return parse(response, Members.class);
  }

  List<ShardInfo> shards(String entityType) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/cluster/shards/" + entityType)).GET());
    if (response.statusCode() == 404) {
      throw Failure.refused("the node at " + address + " runs no " + entityType + " shard region: " + message(response));
    }
    if (response.statusCode() != 200) throw unexpected(response);
    return parse(response, ShardDetails.class).regions();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      String why = e.getMessage() != null ? e.getMessage()
          : e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName();
      throw Failure.unreachable("cannot reach the management API at " + address + ": " + why);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Failure.unreachable("interrupted while calling the management API at " + address);
    }
  }

  private <T> T parse(HttpResponse<String> response, Class<T> type) {
    try {
      return JSON.fromJson(response.body(), type);
    } catch (JsonParseException e) {
      throw Failure.refused("the management API at " + address + " answered what is not its JSON: " + e.getMessage());
    }
  }

  private Failure unexpected(HttpResponse<String> response) {
    return Failure.refused("the management API at " + address + " answered HTTP " + response.statusCode()
        + ": " + message(response));
  }

  /** The {@code message} of the API's JSON replies, or the body as it is. */
  private static String message(HttpResponse<String> response) {
    try {
      JsonObject reply = JsonParser.parseString(response.body()).getAsJsonObject();
      if (reply.has("message")) return reply.get("message").getAsString();
    } catch (RuntimeException notJson) {
      // plain text body
    }
    return response.body().strip();
  }
}
