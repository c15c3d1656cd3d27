package dev.tally.node.auth;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the gRPC port is secured ({@code tally.grpc.tls}): plaintext when no certificate is given,
 * else TLS with the node's certificate chain and private key (PEM files), and, when a client CA is
 * given, mutual TLS: a client must present a certificate that CA signed, or the handshake fails.
 * The files are read once, at start; a renewed certificate takes effect when the node restarts.
 */
public record ServerTls(Optional<Path> certChain, Optional<Path> privateKey, Optional<Path> clientCa) {

  public static final ServerTls PLAINTEXT = new ServerTls(Optional.empty(), Optional.empty(), Optional.empty());

  public ServerTls {
    if (certChain.isPresent() != privateKey.isPresent()) {
      throw new IllegalArgumentException("tally.grpc.tls: give both cert-chain (TALLY_GRPC_TLS_CERT_CHAIN) and "
          + "private-key (TALLY_GRPC_TLS_PRIVATE_KEY), or neither for plaintext");
    }
    if (clientCa.isPresent() && certChain.isEmpty()) {
      throw new IllegalArgumentException("tally.grpc.tls.client-ca (TALLY_GRPC_TLS_CLIENT_CA) needs TLS: "
          + "give cert-chain and private-key too");
    }
  }

  /** From the settings' file names; an empty name is no file. */
  public static ServerTls of(String certChain, String privateKey, String clientCa) {
    return new ServerTls(file(certChain), file(privateKey), file(clientCa));
  }

  public boolean enabled() {
    return certChain.isPresent();
  }

  public boolean clientCertificatesRequired() {
    return clientCa.isPresent();
  }

  /** The credentials the server listens with; reads the files now, so a missing or unreadable one fails the start. */
  public ServerCredentials credentials() {
    if (!enabled()) return InsecureServerCredentials.create();
    try {
      TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
          .keyManager(certChain.get().toFile(), privateKey.get().toFile());
      if (clientCa.isPresent()) {
        builder.trustManager(clientCa.get().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return builder.build();
    } catch (IOException | RuntimeException e) {
      // Names the files, never their content: the message must not carry key material.
      throw new IllegalArgumentException("cannot read the gRPC TLS files (certificate chain " + certChain.get()
          + ", private key " + privateKey.get() + clientCa.map(ca -> ", client CA " + ca).orElse("") + "): "
          + e.getMessage(), e);
    }
  }

  /** For the start-up log: what a client must bring. */
  public String describe() {
    if (!enabled()) return "plaintext";
    return clientCa.map(ca -> "TLS, client certificates signed by " + ca + " required").orElse("TLS");
  }

  private static Optional<Path> file(String name) {
    return name == null || name.isBlank() ? Optional.empty() : Optional.of(Path.of(name.strip()));
  }
}
