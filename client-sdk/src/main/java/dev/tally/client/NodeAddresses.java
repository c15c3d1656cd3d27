package dev.tally.client;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A fixed list of node addresses as a gRPC name resolver, so that {@code round_robin} balances over
 * all of them: grpc-java resolves several addresses for one target only through DNS. Each client
 * registers its own instance in a private registry, so the list lives in this object and the
 * target string is a constant. Host names are looked up again whenever the channel asks (after a
 * connection failure). Each address keeps its own host name as TLS authority unless the client
 * sets one for all.
 */
final class NodeAddresses extends NameResolverProvider {

  static final String SCHEME = "tally-nodes";
  static final String TARGET = SCHEME + ":///nodes";

  /** One node as the builder was given it. */
  record Node(String host, int port) {

    /** Parses {@code host:port}, {@code [v6]:port}, or a bare host (then {@code defaultPort}). */
    static Node parse(String hostPort, int defaultPort) {
      String value = hostPort.trim();
      String host = value;
      int port = defaultPort;
      if (value.startsWith("[")) {
        int close = value.indexOf(']');
        if (close < 0) throw new IllegalArgumentException("bad node address: " + hostPort);
        host = value.substring(1, close);
        if (value.length() > close + 1) port = port(value.substring(close + 1), hostPort);
      } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
        host = value.substring(0, value.indexOf(':'));
        port = port(value.substring(value.indexOf(':')), hostPort);
      }
      if (host.isEmpty()) throw new IllegalArgumentException("bad node address: " + hostPort);
      return new Node(host, port);
    }

    private static int port(String colonPort, String hostPort) {
      try {
        int port = Integer.parseInt(colonPort.substring(1));
        if (colonPort.charAt(0) == ':' && port > 0 && port < 65536) return port;
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        // fall through
      }
      throw new IllegalArgumentException("bad port in node address: " + hostPort);
    }

    String authority() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final List<Node> nodes;
  private final boolean authorityPerNode;

  NodeAddresses(List<Node> nodes, boolean authorityPerNode) {
    if (nodes.isEmpty()) throw new IllegalArgumentException("no node addresses");
    this.nodes = List.copyOf(nodes);
    this.authorityPerNode = authorityPerNode;
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) return null;
    Executor offload = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : Runnable::run;
    return new Resolver(offload);
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  private final class Resolver extends NameResolver {

    private final Executor offload;
    private volatile Listener2 listener;

    Resolver(Executor offload) {
      this.offload = offload;
    }

    @Override
    public String getServiceAuthority() {
      return nodes.get(0).authority();
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      refresh();
    }

    @Override
    public void refresh() {
      // Looking up host names may block; the channel's own thread must not.
      offload.execute(this::resolve);
    }

    private void resolve() {
      List<EquivalentAddressGroup> groups = new ArrayList<>();
      for (Node node : nodes) {
        InetSocketAddress address = new InetSocketAddress(node.host(), node.port());
        if (address.isUnresolved()) continue;
        Attributes attributes = authorityPerNode
            ? Attributes.newBuilder().set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, node.authority()).build()
            : Attributes.EMPTY;
        groups.add(new EquivalentAddressGroup(address, attributes));
      }
      if (groups.isEmpty()) {
        listener.onError(Status.UNAVAILABLE.withDescription("no address of " + nodes + " resolves"));
      } else {
        listener.onResult(ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
      }
    }

    @Override
    public void shutdown() {}
  }
}
