package dev.tally.ops.k8s;

import static dev.tally.ops.k8s.Manifests.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The node's logback.xml: TALLY_LOG_FORMAT picks text or JSON lines; both carry the org and request ids. */
class LogFormatTest {

  private static final String LOGGER = "dev.tally.node.api.MeteringService";

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  @Test
  void jsonIsOneObjectALineWithTheMdc() throws Exception {
    MDC.put("orgId", "org-7");
    MDC.put("requestId", "req-1");
    String output = log("json", LOGGER, "reserved {} credits", 5);

    assertEquals(1, output.lines().count(), output);
    Map<String, Object> line = map(new Yaml(new SafeConstructor(new LoaderOptions())).load(output));
    assertEquals("INFO", line.get("level"));
    assertEquals(LOGGER, line.get("loggerName"));
    assertEquals("reserved 5 credits", line.get("formattedMessage"));
    assertEquals(Map.of("orgId", "org-7", "requestId", "req-1"), line.get("mdc"));
  }

  @Test
  void textShowsTheOrgAndRequestIdsWhenSet() throws Exception {
    MDC.put("orgId", "org-7");
    MDC.put("requestId", "req-1");
    String output = log("text", LOGGER, "reserved {} credits", 5);

    assertTrue(output.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  [\\w.]+MeteringService orgId=org-7 requestId=req-1 - reserved 5 credits\\R"), output);
  }

  @Test
  void textLeavesOutIdsThatAreNotSet() throws Exception {
    MDC.put("orgId", "org-7");
    assertTrue(log("text", LOGGER, "hello").contains("MeteringService orgId=org-7 - hello"));
    MDC.clear();
    assertTrue(log("text", LOGGER, "hello").contains("MeteringService - hello"));
  }

  @Test
  void textIsTheDefaultAndWhatAnUnknownValueGives() throws Exception {
    assertFalse(log("yaml", LOGGER, "hello").startsWith("{"));
    assertNull(System.getenv("TALLY_LOG_FORMAT"), "the build keeps TALLY_LOG_FORMAT from the tests (ops/k8s/pom.xml)");
    assertTrue(log(null, LOGGER, "hello").contains("MeteringService - hello"));
  }

  @Test
  void cassandraDriverChatterStaysBelowWarn() throws Exception {
    assertEquals("", log("json", "com.datastax.oss.driver.internal.core.session.DefaultSession", "connected"));
    assertEquals("", log("text", "org.apache.pekko.persistence.cassandra.journal.CassandraJournal", "started"));
  }

  /**
   * Configures a fresh logback from the node's logback.xml with TALLY_LOG_FORMAT = format (null: unset),
   * logs one INFO line and returns what the console would have shown.
   */
  private static String log(String format, String logger, String message, Object... arguments) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    if (format != null) {
      context.putProperty("TALLY_LOG_FORMAT", format);
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(NodeConfig.logbackXml());
    assertTrue(new StatusUtil(context).getHighestLevel(0) < Status.WARN,
        "logback reports problems with the node's logback.xml: " + context.getStatusManager().getCopyOfStatusList());

    ByteArrayOutputStream console = new ByteArrayOutputStream();
    context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders()
        .forEachRemaining(appender -> ((OutputStreamAppender<?>) appender).setOutputStream(console));
    context.getLogger(logger).info(message, arguments);
    context.stop();
    return console.toString(StandardCharsets.UTF_8);
  }
}
