package dev.tally.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Opens every Cassandra session of the node (journal, snapshots, ledger queries, API keys, readiness):
 * the plugin's {@code session-provider} (persistence.conf), so the login and TLS of {@code tally.cassandra}
 * apply to all of them. Like the plugin's default provider, with the driver config of
 * {@code datastax-java-driver}.
 */
public final class CassandraSessions implements CqlSessionProvider {

  private static final Logger log = LoggerFactory.getLogger(CassandraSessions.class);

  private final ActorSystem system;
  private final Config pluginConfig;

  public CassandraSessions(ActorSystem system, Config pluginConfig) {
    this.system = system;
    this.pluginConfig = pluginConfig;
  }

  /**
   * How the node reaches Cassandra: a login when {@code username} is set (PasswordAuthenticator), TLS
   * when {@code tls} is, trusting the CAs of {@code tlsCa} (PEM) or else the JVM's.
   */
  public record Settings(String username, String password, boolean tls, Optional<Path> tlsCa, boolean hostnameValidation) {

    public Settings {
      if (username.isEmpty() != password.isEmpty()) {
        throw new IllegalArgumentException("tally.cassandra: give both username (TALLY_CASSANDRA_USERNAME) and "
            + "password (TALLY_CASSANDRA_PASSWORD), or neither");
      }
      if (tlsCa.isPresent() && !tls) {
        throw new IllegalArgumentException("tally.cassandra.tls.ca (TALLY_CASSANDRA_TLS_CA) is set but TLS is off: "
            + "set TALLY_CASSANDRA_TLS=true too");
      }
    }

    /** Never prints the password. */
    @Override
    public String toString() {
      return "Cassandra " + (username.isEmpty() ? "without a login" : "as " + username)
          + (tls ? ", TLS trusting " + tlsCa.map(Path::toString).orElse("the JVM's CAs")
              + (hostnameValidation ? "" : ", host names not checked") : ", plaintext");
    }
  }

  @Override
  public Future<CqlSession> connect(ExecutionContext ec) {
    Settings settings = NodeSettings.from(system.settings().config()).cassandra();
    CqlSessionBuilder builder = CqlSession.builder()
        .withConfigLoader(DriverConfigLoaderFromConfig.fromConfig(CqlSessionProvider.driverConfig(system, pluginConfig)));
    if (!settings.username().isEmpty()) builder.withAuthCredentials(settings.username(), settings.password());
    if (settings.tls()) {
      builder.withSslEngineFactory(new ProgrammaticSslEngineFactory(sslContext(settings.tlsCa()), null, settings.hostnameValidation()));
    }
    log.info("opening a session to {}", settings);
    return FutureConverters.asScala(builder.buildAsync().whenComplete((session, failure) -> {
      if (failure != null) log.error("cannot open a session to {}: {}", settings, failure.toString());
    }));
  }

  private static SSLContext sslContext(Optional<Path> ca) {
    try {
      if (ca.isEmpty()) return SSLContext.getDefault();
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      try (InputStream in = Files.newInputStream(ca.get())) {
        Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        if (certificates.isEmpty()) throw new IllegalArgumentException("no certificate in " + ca.get());
        int i = 0;
        for (Certificate certificate : certificates) trusted.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the Cassandra CA certificates " + ca.orElse(null) + ": " + e.getMessage(), e);
    }
  }
}
