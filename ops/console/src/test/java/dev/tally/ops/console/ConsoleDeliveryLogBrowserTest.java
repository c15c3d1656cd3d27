package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.TallyClient;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.WebhookReceiver;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.DeleteWebhookEndpointRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.ListWebhookDeliveriesRequest;
import dev.tally.v1.WebhookDeliveryAttempt;
import dev.tally.v1.WebhookEndpoint;
import dev.tally.v1.WebhookEventType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A webhook endpoint's delivery log in a real browser, against a node of its own (it must deliver to
 * a receiver on 127.0.0.1, which {@code TALLY_WEBHOOKS_ALLOW_PRIVATE} allows, and retry at once) on a
 * real Cassandra: the attempts of a real delivery to the JDK's HttpServer, a replay, the operator's
 * own endpoints, an org's own log read-only for its key, and no other org's log.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleDeliveryLogBrowserTest {

  private NodeProcess node;
  private WebhookReceiver receiver;
  private List<String> browserInstall;
  private Console console;
  private TallyClient admin;
  private ChromeDriver browser;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  void start() throws Exception {
    receiver = WebhookReceiver.start();
    node = NodeProcess.start(TestCassandra.server(),
        Map.of("TALLY_WEBHOOKS_ALLOW_PRIVATE", "on", "TALLY_WEBHOOK_RETRY_SCALE", "0.001"),
        NodeProcess.testJvmOptions(), Paths.get("target", "nodes"));
    browserInstall = Browser.installed();
    console = Console.startLocal(List.of(node.address()), 0);
    admin = TallyClient.builder().nodes(node.address()).apiKey(TestKeys.ADMIN).build();
  }

  /** One browser for the class (a start costs seconds); each test begins signed out at desktop width. */
  @BeforeEach
  void signedOutBrowser() throws IOException {
    if (browser == null) browser = Browser.open(browserInstall);
    browser.manage().deleteAllCookies();
    browser.manage().window().setSize(new Dimension(1280, 1000));
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) browser.quit();
    if (console != null) console.close();
    if (admin != null) admin.close();
    if (node != null) node.close();
    if (receiver != null) receiver.close();
  }

  // ---- fixtures ----

  /** The event id of the next request to {@code path} within {@code seconds}; null when none came. */
  private String nextId(String path, int seconds) throws InterruptedException {
    WebhookReceiver.Received request = receiver.poll(path, Duration.ofSeconds(seconds));
    return request == null ? null : request.id();
  }

  private String org(String prefix) {
    String org = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    admin.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setDisplayName(prefix).setPlan("payg").build());
    return org;
  }

  private String key(String role, String org) {
    return admin.accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole(role).setOrgId(org).build()).getKey();
  }

  private WebhookEndpoint endpoint(String org, String url, WebhookEventType type) {
    admin.accounts().createWebhookEndpoint(CreateWebhookEndpointRequest.newBuilder().setOrgId(org)
        .setRequestId(UUID.randomUUID().toString()).setUrl(url).addEventTypes(type).build());
    return admin.accounts().listWebhookEndpoints(org).getEndpointsList().stream()
        .filter(endpoint -> endpoint.getUrl().equals(url)).findFirst().orElseThrow();
  }

  private List<WebhookDeliveryAttempt> deliveries(String org, String endpointId) {
    return admin.accounts().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder().setOrgId(org)
        .setEndpointId(endpointId).build()).getAttemptsList();
  }

  /** An org with an endpoint at a receiver path answering 500 then 200, and the granted event's two attempts logged. */
  private record Delivered(String org, WebhookEndpoint endpoint, String path, List<WebhookDeliveryAttempt> attempts) {}

  private Delivered deliveredOnTheSecondAttempt(String prefix) throws Exception {
    return deliveredOnTheSecondAttempt(prefix, "");
  }

  /** @param query what follows the endpoint URL's path ("" for nothing), e.g. a receiver's token */
  private Delivered deliveredOnTheSecondAttempt(String prefix, String query) throws Exception {
    String org = org(prefix);
    String path = "/" + prefix + "-" + UUID.randomUUID();
    receiver.answer(path, List.of(500));
    WebhookEndpoint endpoint = endpoint(org, receiver.url(path) + query, WebhookEventType.WEBHOOK_EVENT_TYPE_CREDITS_GRANTED);
    admin.accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setRequestId("grant-" + org)
        .setKind(GrantKind.PROMOTION).setAmount(1_234_000_000L).build());
    // A read the node could not answer this time (its Cassandra slow on a loaded machine) is asked again.
    Eventually.await("two attempts in the delivery log", Duration.ofMinutes(1), () -> {
      try {
        return deliveries(org, endpoint.getEndpointId()).size() == 2;
      } catch (dev.tally.client.TallyException e) {
        return false;
      }
    });
    return new Delivered(org, endpoint, path, deliveries(org, endpoint.getEndpointId()));
  }

  // ---- the browser ----

  private String url(String path) {
    return console.url() + path.substring(1);
  }

  private void awaitPage(org.openqa.selenium.support.ui.ExpectedCondition<?> condition) {
    try {
      new WebDriverWait(browser, Duration.ofSeconds(30)).until(condition);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("expected another page than " + browser.getCurrentUrl() + ":\n"
          + browser.findElement(By.tagName("body")).getText(), e);
    }
  }

  private void signIn(String org, String key) {
    browser.get(url("/signin"));
    browser.findElement(By.id("signin-org")).sendKeys(org);
    browser.findElement(By.id("signin-key")).sendKeys(key);
    browser.findElement(By.cssSelector("main button[type=submit]")).click();
    awaitPage(ExpectedConditions.or(ExpectedConditions.presenceOfElementLocated(By.id("available")),
        ExpectedConditions.presenceOfElementLocated(By.id("decide-h"))));
  }

  private String sessionCookie() {
    return browser.manage().getCookieNamed(Routes.SESSION_COOKIE).getValue();
  }

  private HttpResponse<String> get(String path, String session) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Cookie", Routes.SESSION_COOKIE + "=" + session)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String session, String form) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Cookie", Routes.SESSION_COOKIE + "=" + session)
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** No sideways scroll of the page (tables scroll in their own box). */
  private long overflow() {
    return (Long) ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
  }

  // ---- the tests ----

  @Test
  void theDeliveryLogShowsBothAttemptsOfARealDeliveryAndAReplaySendsTheEventAgain() throws Exception {
    Delivered delivered = deliveredOnTheSecondAttempt("logged");
    String endpointUrl = delivered.endpoint().getUrl();
    List<String> ids = List.of(nextId(delivered.path(), 30),
        nextId(delivered.path(), 30));
    signIn("", TestKeys.ADMIN);
    browser.get(url(Links.org(delivered.org())));

    // From the endpoint's row, by keyboard: focus the link and press Enter.
    By logLink = By.cssSelector("a[aria-label='Delivery log of " + endpointUrl + "']");
    awaitPage(ExpectedConditions.presenceOfElementLocated(logLink));
    browser.findElement(logLink).sendKeys(Keys.ENTER);
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.id("deliveries")));
    assertEquals("Delivery log", browser.findElement(By.tagName("h1")).getText());
    assertTrue(browser.findElement(By.id("deliveries-h")).getText().contains(endpointUrl));

    DeliveryTable log = new DeliveryTable(browser);
    WebhookDeliveryAttempt second = delivered.attempts().get(0);
    WebhookDeliveryAttempt first = delivered.attempts().get(1);
    assertEquals(ids.get(0), second.getEventId(), "the receiver got the event the log names");
    assertEquals(1, log.events().size(), "one event");
    String head = log.events().get(0).findElement(By.cssSelector(".event-head")).getText();
    assertTrue(head.contains(second.getEventId()) && head.contains("credits granted") && head.contains("delivered")
        && head.contains("2 attempts"), head);
    List<List<String>> rows = log.rows();
    assertEquals(2, rows.size());
    assertEquals(List.of(DeliveryLog.attempted(second), "2", "HTTP 200", DeliveryLog.latency(second), "delivered"),
        rows.get(0));
    assertEquals(List.of(DeliveryLog.attempted(first), "1", "HTTP 500", DeliveryLog.latency(first), "failed, retried"),
        rows.get(1));
    assertTrue(rows.get(0).get(3).matches("[0-9,]+ ms"), rows.get(0).get(3));
    Browser.screenshot(browser, "delivery-log");

    browser.manage().window().setSize(new Dimension(390, 844));
    browser.navigate().refresh();
    assertTrue(overflow() <= 0, "at phone width the page does not scroll sideways (" + overflow() + " px)");
    browser.manage().window().setSize(new Dimension(1280, 1000));

    // Replay: a confirmation first, then the event again with its id, and a notice saying so.
    browser.findElement(By.cssSelector("a[aria-label='Replay " + second.getEventId() + "']")).click();
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.id("confirm-h")));
    assertTrue(browser.findElement(By.id("confirm-h")).getText().contains("again"));
    assertEquals(null, nextId(delivered.path(), 1), "nothing is sent before the confirmation");
    browser.findElement(By.xpath("//button[text()='Replay the event']")).click();
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".notice.ok")));
    assertTrue(browser.findElement(By.cssSelector(".notice.ok")).getText().startsWith("Queued " + second.getEventId()));
    assertEquals(second.getEventId(), nextId(delivered.path(), 30), "sent again with its id");
  }

  @Test
  void aReplayTheNodeRefusesSaysWhy() throws Exception {
    Delivered delivered = deliveredOnTheSecondAttempt("refused");
    admin.accounts().updateWebhookEndpoint(dev.tally.v1.UpdateWebhookEndpointRequest.newBuilder().setOrgId(delivered.org())
        .setEndpointId(delivered.endpoint().getEndpointId()).setEnabled(false).build());
    signIn("", TestKeys.ADMIN);
    browser.get(url(Links.replay(delivered.org(), delivered.endpoint().getEndpointId(), delivered.attempts().get(0).getEventId())));
    browser.findElement(By.xpath("//button[text()='Replay the event']")).click();
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".notice.error")));
    String refusal = browser.findElement(By.cssSelector(".notice.error")).getText();
    assertTrue(refusal.startsWith("Not replayed: "), refusal);
    assertTrue(refusal.toLowerCase(java.util.Locale.ROOT).contains("disabled"), refusal);
  }

  @Test
  void anOrgsOwnKeySeesItsEndpointsAndTheirLogsButNoReplayNorTheReceiversToken() throws Exception {
    Delivered mine = deliveredOnTheSecondAttempt("owner", "?token=s3cret-of-the-receiver");
    String endpointId = mine.endpoint().getEndpointId();
    String eventId = mine.attempts().get(0).getEventId();
    String shownUrl = receiver.url(mine.path()) + "?…";
    nextId(mine.path(), 30);
    nextId(mine.path(), 30);
    signIn(mine.org(), key("reader", mine.org()));

    String table = browser.findElement(By.id("webhooks")).getText();
    assertTrue(table.contains(shownUrl) && table.contains("credits granted") && table.contains("enabled"), table);
    String section = browser.findElement(By.cssSelector("section[aria-labelledby='webhooks-h']")).getAttribute("innerHTML");
    assertFalse(section.contains("s3cret"), "the URL's query is not shown");
    assertFalse(section.contains("<form"), "nothing to change: " + section);
    browser.findElement(By.cssSelector("a[aria-label='Delivery log of " + shownUrl + "']")).sendKeys(Keys.ENTER);
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.id("deliveries")));
    DeliveryTable log = new DeliveryTable(browser);
    assertEquals(1, log.events().size());
    List<List<String>> rows = log.rows();
    assertEquals(List.of("HTTP 200", "HTTP 500"), List.of(rows.get(0).get(2), rows.get(1).get(2)));
    assertTrue(browser.findElements(By.cssSelector("a.replay")).isEmpty(), "a replay is the operator's");
    assertFalse(browser.getPageSource().contains("s3cret"));
    Browser.screenshot(browser, "org-delivery-log");

    String session = sessionCookie();
    String csrf = browser.findElement(By.name(Routes.CSRF_FIELD)).getAttribute("value");
    assertEquals(403, get(Links.replay(mine.org(), endpointId, eventId), session).statusCode());
    assertEquals(403, post(Links.replay(mine.org(), endpointId, ""), session, "csrf=" + csrf + "&event_id=" + eventId).statusCode());
    assertEquals(null, nextId(mine.path(), 2), "nothing was replayed");
  }

  @Test
  void anOrgKeyCannotOpenAnotherOrgsDeliveryLogNorTheOperators() throws Exception {
    Delivered victim = deliveredOnTheSecondAttempt("victim");
    String eventId = victim.attempts().get(0).getEventId();
    String endpointId = victim.endpoint().getEndpointId();
    receiver.at(victim.path()).clear();
    String intruder = org("intruder");
    signIn(intruder, key("metering", intruder));
    String session = sessionCookie();
    String csrf = browser.findElement(By.name(Routes.CSRF_FIELD)).getAttribute("value");

    Map<String, Integer> refused = Map.of(
        Links.deliveries(victim.org(), endpointId, ""), 403,
        Links.replay(victim.org(), endpointId, eventId), 403,
        Links.deliveries("*", endpointId, ""), 403,
        // Its own org has no such endpoint.
        Links.deliveries(intruder, endpointId, ""), 404);
    for (Map.Entry<String, Integer> path : refused.entrySet()) {
      HttpResponse<String> page = get(path.getKey(), session);
      assertEquals(path.getValue(), page.statusCode(), path.getKey());
      for (String secret : List.of(victim.org(), victim.endpoint().getUrl(), victim.path(), eventId, "HTTP 500")) {
        assertFalse(page.body().contains(secret), path.getKey() + " shows " + secret);
      }
    }
    HttpResponse<String> replay = post(Links.replay(victim.org(), endpointId, ""), session, "csrf=" + csrf + "&event_id=" + eventId);
    assertEquals(403, replay.statusCode());
    assertEquals(null, nextId(victim.path(), 2), "nothing was replayed");

    browser.get(url(Links.deliveries(victim.org(), endpointId, "")));
    assertEquals("No permission", browser.findElement(By.tagName("h1")).getText());
  }

  @Test
  void theOperatorsOwnEndpointsAreListedWithTheirDeliveryLogs() throws Exception {
    // Sent only when an endpoint is disabled for failing: no other test's events reach it.
    String hookUrl = receiver.url("/operator-" + UUID.randomUUID());
    WebhookEndpoint mine = endpoint("*", hookUrl, WebhookEventType.WEBHOOK_EVENT_TYPE_WEBHOOK_ENDPOINT_DISABLED);
    try {
      signIn("", TestKeys.ADMIN);
      String table = browser.findElement(By.id("operator-webhooks")).getText();
      assertTrue(table.contains(hookUrl) && table.contains("webhook endpoint disabled") && table.contains("enabled"), table);
      browser.findElement(By.cssSelector("a[aria-label='Delivery log of " + hookUrl + "']")).click();
      awaitPage(ExpectedConditions.presenceOfElementLocated(By.id("deliveries-h")));
      assertEquals(url(Links.deliveries("*", mine.getEndpointId(), "")), browser.getCurrentUrl());
      assertTrue(browser.findElement(By.tagName("main")).getText().contains("the operator (events of every org)"));
      assertEquals("No deliveries in the last 7 days.", browser.findElement(By.id("no-deliveries")).getText());
    } finally {
      admin.accounts().deleteWebhookEndpoint(DeleteWebhookEndpointRequest.newBuilder().setOrgId("*")
          .setEndpointId(mine.getEndpointId()).build());
    }
  }

  /** The delivery log's table as the page shows it. */
  private record DeliveryTable(ChromeDriver browser) {
    List<WebElement> events() {
      return browser.findElements(By.cssSelector("#deliveries tbody.event"));
    }

    List<List<String>> rows() {
      return browser.findElements(By.cssSelector("#deliveries tr.attempt")).stream()
          .map(row -> row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList()).toList();
    }
  }
}
