package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.TallyClient;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.GetUsageRequest.Dimension;
import dev.tally.v1.GetUsageRequest.Granularity;
import dev.tally.v1.GetUsageResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.Labels;
import dev.tally.v1.ListStatementsRequest;
import dev.tally.v1.PeriodUsage;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.TokenEstimate;
import dev.tally.v1.Usage;
import dev.tally.v1.UsageEstimate;
import dev.tally.v1.UsageSums;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's reports in a real browser against a real node on a real Cassandra, after an org's
 * labelled calls: the usage charts add up to what GetUsage reports, the CSV too, the open statement
 * closes at the balance, and the operator finds the org in the directory and at the top. Shares the
 * JVM's node with {@link ConsoleBrowserTest}; its org is on the flex plan (an allocation of 1,000),
 * which no other console test uses.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleReportsBrowserTest {

  /** How long the read side may take to show the calls (it is a few seconds behind). */
  private static final Duration READ_SIDE = Duration.ofSeconds(60);

  private List<String> browserInstall;
  private Console console;
  private TallyClient admin;
  private ChromeDriver browser;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final String org = "reports-" + UUID.randomUUID().toString().substring(0, 8);
  private String readerKey;
  private long calls;

  @BeforeAll
  void labelledCallsOfOneOrg() throws Exception {
    browserInstall = Browser.installed();
    console = Console.startLocal(List.of(TestNode.address()), 0);
    admin = TallyClient.builder().nodes(TestNode.address()).apiKey(TestKeys.ADMIN).build();
    admin.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setDisplayName("Reports & Co").setPlan("flex").build());
    admin.accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setKind(GrantKind.PURCHASE)
        .setAmount(Credits.of(500)).build());
    readerKey = key("reader");
    try (TallyClient service = TallyClient.builder().nodes(TestNode.address()).apiKey(key("metering")).build()) {
      for (int i = 0; i < 3; i++) tokens(service, "gpt-4o", "support", 120_000 + i, 30_000);
      for (int i = 0; i < 2; i++) tokens(service, "claude-sonnet", "research", 80_000, 9_000 + i);
      for (int i = 0; i < 4; i++) fixed(service, "model_generation", "studio");
      fixed(service, "embedding", "search");
      service.reserve(ReserveRequest.newBuilder().setOrgId(org).setLabels(labels("gpt-4o-mini", "support", ""))
          .setEstimate(UsageEstimate.newBuilder().setTokens(TokenEstimate.newBuilder().setModel("gpt-4o-mini")
              .setInputTokens(1_000).setMaxOutputTokens(1_000))).build()).release();
    }
    // The read side is a few seconds behind: the pages are read once it has every call.
    Eventually.await("GetUsage counts the org's " + calls + " calls and its failed one", READ_SIDE, () -> {
      UsageSums totals = usage(Granularity.DAY, Dimension.MODEL).getTotals();
      return totals.getCalls() == calls && totals.getReleased() == 1;
    });
  }

  /** One browser for the class (a start costs seconds); each test begins signed out at desktop width. */
  @BeforeEach
  void signedOutBrowser() throws IOException {
    if (browser == null) browser = Browser.open(browserInstall);
    browser.manage().deleteAllCookies();
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
  }

  @AfterAll
  void stopConsole() {
    if (browser != null) browser.quit();
    if (console != null) console.close();
    if (admin != null) admin.close();
  }

  // ---- fixtures ----

  private String key(String role) {
    return admin.accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole(role).setOrgId(org).build()).getKey();
  }

  private Labels labels(String model, String project, String callType) {
    return Labels.newBuilder().setModel(model).setProject(project).setCallType(callType).setUser("ada").build();
  }

  private void tokens(TallyClient service, String model, String project, long input, long output) {
    service.reserve(ReserveRequest.newBuilder().setOrgId(org).setLabels(labels(model, project, ""))
        .setEstimate(UsageEstimate.newBuilder().setTokens(TokenEstimate.newBuilder().setModel(model).setInputTokens(input)
            .setMaxOutputTokens(output))).build())
        .commit(dev.tally.client.Usage.tokens(model, input, output, 2_000, 500));
    calls++;
  }

  private void fixed(TallyClient service, String callType, String project) {
    service.charge(ChargeRequest.newBuilder().setOrgId(org).setUsage(Usage.newBuilder().setCallType(callType))
        .setLabels(labels("", project, callType)).build());
    calls++;
  }

  /** The range the usage page shows by default: this billing period's first day to today, UTC. */
  private UsageRange defaultRange() {
    PeriodUsage period = admin.balance(org).getPeriod();
    return UsageRange.parse("", "", UsagePage.day(period.getStart()), LocalDate.now(ZoneOffset.UTC));
  }

  private GetUsageResponse usage(Granularity granularity, Dimension by) {
    return admin.accounts().getUsage(UsagePage.query(org, defaultRange(), granularity, by).build());
  }

  // ---- the browser ----

  private String url(String path) {
    return console.url() + path.substring(1);
  }

  private void signedIn(String orgId, String key) {
    browser.get(url("/signin"));
    browser.findElement(By.id("signin-org")).sendKeys(orgId);
    browser.findElement(By.id("signin-key")).sendKeys(key);
    browser.findElement(By.cssSelector("main button[type=submit]")).click();
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.or(
        ExpectedConditions.presenceOfElementLocated(By.id("available")),
        ExpectedConditions.presenceOfElementLocated(By.id("decide-h"))));
  }

  /** Signs in over plain HTTP, as a browser's form would: the session cookie's value. */
  private String session(String orgId, String key) throws Exception {
    HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(url("/signin"))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    String signInCookie = form.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(url("/signin")))
        .header("Cookie", signInCookie).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("csrf=" + signInCookie.substring(signInCookie.indexOf('=') + 1)
            + "&org=" + orgId + "&key=" + key)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(303, signedIn.statusCode(), signedIn::body);
    String cookie = signedIn.headers().allValues("Set-Cookie").stream()
        .filter(value -> value.startsWith(Routes.SESSION_COOKIE + "=")).findFirst().orElseThrow();
    return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
  }

  private HttpResponse<String> get(String path, String session) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Cookie", Routes.SESSION_COOKIE + "=" + session)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A chart's total as its figure holds it, in µcr (credits) or as the count. */
  private long figureTotal(String chart, boolean credits) {
    String value = browser.findElement(By.id(chart + "-total")).getAttribute("value");
    return credits ? Credits.parse(value) : Long.parseLong(value);
  }

  /** The sum of every value the chart drawn in {@code chart} holds (ECharts' own option), in µcr or as the count. */
  private long drawnTotal(String chart, boolean credits) {
    Object sum = ((JavascriptExecutor) browser).executeScript(
        "var chart = echarts.getInstanceByDom(document.querySelector('#' + arguments[0] + ' .chart-box'));"
            + "var scale = arguments[1] ? 1e6 : 1; var sum = 0;"
            + "chart.getOption().series.forEach(function (s) { s.data.forEach(function (v) { sum += Math.round(v * scale); }); });"
            + "return sum;", chart, credits);
    return ((Number) sum).longValue();
  }

  // ---- the tests ----

  @Test
  void theUsageChartsAddUpToWhatGetUsageReports() throws Exception {
    UsageSums byModel = usage(Granularity.DAY, Dimension.MODEL).getTotals();
    UsageSums byCallType = usage(Granularity.WHOLE_RANGE, Dimension.CALL_TYPE).getTotals();
    PeriodUsage period = admin.balance(org).getPeriod();
    signedIn(org, readerKey);
    // Each page to come records what its Content-Security-Policy refuses (the recorder itself is the browser's, not the page's).
    browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
        "window.refused = []; document.addEventListener('securitypolicyviolation',"
            + " function (e) { window.refused.push(e.violatedDirective + ' ' + e.blockedURI); });"));
    browser.findElement(By.linkText("Usage")).click();
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#credits-by-model .chart-box canvas")));
    new org.openqa.selenium.interactions.Actions(browser)
        .moveToElement(browser.findElement(By.cssSelector("#credits-by-model .chart-box canvas"))).perform();
    assertEquals(List.of(), ((JavascriptExecutor) browser).executeScript("return window.refused"),
        "the charts draw (and show their tooltips) within the page's policy");
    new org.openqa.selenium.interactions.Actions(browser).moveToElement(browser.findElement(By.tagName("h1"))).perform();

    assertEquals(byModel.getCharged(), figureTotal("credits-by-model", true), "the credits chart's total is GetUsage's");
    assertEquals(byModel.getCharged(), drawnTotal("credits-by-model", true), "and so is what ECharts drew");
    assertEquals(byModel.getCharged(), Credits.parse(browser.findElement(By.id("usage-charged")).getText()));
    long tokens = byModel.getInputTokens() + byModel.getOutputTokens() + byModel.getCacheReadTokens()
        + byModel.getCacheWriteTokens();
    assertEquals(tokens, figureTotal("tokens-by-kind", false), "tokens of every kind");
    assertEquals(tokens, drawnTotal("tokens-by-kind", false));
    long billedAndFailed = byCallType.getCalls() + byCallType.getReleased() + byCallType.getExpired();
    assertEquals(billedAndFailed, figureTotal("calls-by-call-type", false), "calls billed and failed");
    assertEquals(billedAndFailed, drawnTotal("calls-by-call-type", false));
    assertEquals(period.getCharged(), figureTotal("period-allocation", true), "the period bar is GetBalance's");
    assertEquals(period.getCharged(), drawnTotal("period-allocation", true));
    assertEquals(period.getAllocation(), Credits.parse(browser.findElement(By.xpath(
        "(//figure[@id='period-allocation']//td[@data-role='mark'])[2]")).getAttribute("data-v")),
        "the 100 % mark is the allocation");

    String summary = browser.findElement(By.id("credits-by-model-summary")).getText();
    assertTrue(summary.contains(Credits.withSeparators(byModel.getCharged()) + " in all"), summary);
    assertFalse(browser.findElement(By.tagName("main")).getText().contains(Long.toString(byModel.getCharged())),
        "no amount shows as raw micro-credits");
    WebElement projects = browser.findElement(By.id("projects"));
    assertTrue(projects.getText().contains("studio"), projects.getText());
    assertEquals(byModel.getCharged(), Credits.parse(projects.findElement(By.cssSelector("tfoot td")).getText()));
    Browser.screenshot(browser, "usage");

    browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    browser.navigate().refresh();
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#credits-by-model .chart-box canvas")));
    long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assertTrue(overflow <= 0, "at phone width the usage page does not scroll sideways (" + overflow + " px)");
    Browser.screenshot(browser, "usage-phone");
  }

  @Test
  void theCsvHoldsEveryProjectAndModelRowAndAddsUpToGetUsage() throws Exception {
    UsageSums totals = usage(Granularity.WHOLE_RANGE, Dimension.PROJECT).getTotals();
    UsageRange range = defaultRange();
    HttpResponse<String> csv = get(Links.usageCsv(org, range), session(org, readerKey));

    assertEquals(200, csv.statusCode(), csv::body);
    assertTrue(csv.headers().firstValue("Content-Type").orElseThrow().startsWith("text/csv"));
    assertTrue(csv.headers().firstValue("Content-Disposition").orElseThrow().contains(UsageCsv.fileName(org, range)));
    List<String> lines = csv.body().lines().toList();
    assertEquals(String.join(",", UsageCsv.HEADER), lines.get(0));
    BigDecimal credits = BigDecimal.ZERO;
    long rowCalls = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",");
      credits = credits.add(new BigDecimal(cells[2]));
      rowCalls += Long.parseLong(cells[3]);
    }
    assertEquals(Credits.format(totals.getCharged()), credits.setScale(6).toPlainString(), "credits add up to GetUsage's");
    assertEquals(totals.getCalls(), rowCalls);
    assertTrue(lines.stream().anyMatch(line -> line.startsWith("studio,,800.000000,4,")), csv.body());
  }

  @Test
  void theStatementsShowTheOpenPeriodClosingAtTheBalance() throws Exception {
    long available = admin.balance(org).getBalance().getAvailable();
    Eventually.await("the open statement counts every call", READ_SIDE, () -> {
      var statements = admin.accounts().listStatements(ListStatementsRequest.newBuilder().setOrgId(org).build());
      return statements.getStatementsCount() > 0 && statements.getStatements(0).getClosingBalance() == available;
    });
    signedIn(org, readerKey);
    browser.findElement(By.linkText("Statements")).click();
    WebElement open = browser.findElement(By.xpath("//table[@id='statements']/tbody/tr[td[2]='open']"));
    List<WebElement> cells = open.findElements(By.tagName("td"));
    assertEquals(available, Credits.parse(cells.get(7).getText()), "the open statement closes at the balance");
    Browser.screenshot(browser, "statements");

    open.findElement(By.tagName("a")).click();
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(By.id("statement-closing")));
    assertEquals(available, Credits.parse(browser.findElement(By.id("statement-closing")).getText()));
    assertEquals(admin.balance(org).getPeriod().getAllocation(), Credits.parse(browser.findElement(By.xpath(
        "//tr[th='by kind: subscription']/td")).getText()), "the period's allocation, granted as a subscription");
    assertEquals(Credits.of(800), Credits.parse(browser.findElement(By.xpath(
        "//tr[th='by call type: model_generation']/td")).getText()));
    String noPeriod = Links.statement(org, java.time.Instant.parse("2001-01-01T00:00:00Z"));
    assertEquals(404, get(noPeriod, browser.manage().getCookieNamed(Routes.SESSION_COOKIE).getValue()).statusCode(),
        "a period the org never had");
    Browser.screenshot(browser, "statement");

    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
    assertEquals("none", browser.findElement(By.tagName("header")).getCssValue("display"), "printed without the header");
    assertEquals("none", browser.findElement(By.cssSelector("nav.tabs")).getCssValue("display"));
    Browser.screenshot(browser, "statement-print");
  }

  @Test
  void theOperatorFindsTheOrgInTheDirectoryAndAtTheTop() throws Exception {
    signedIn("", TestKeys.ADMIN);
    String search = new DirectoryPage.Search(org.substring(0, 12), "flex", "any", DirectoryPage.THIS_MONTH, "").link("");
    // The directory is the read side's: it may trail the org's calls by a moment.
    new WebDriverWait(browser, READ_SIDE).until(page -> {
      page.get(url(search));
      return !page.findElements(By.cssSelector("#directory a[href='" + Links.org(org) + "']")).isEmpty()
          && !page.findElements(By.cssSelector("#top-orgs a[href='" + Links.org(org) + "']")).isEmpty();
    });
    WebElement top = browser.findElement(By.xpath("//table[@id='top-orgs']/tbody/tr[td/a='" + org + "']"));
    assertEquals(admin.balance(org).getPeriod().getCharged(), Credits.parse(top.findElements(By.tagName("td")).get(3).getText()),
        "used this month, as GetBalance has it");
    WebElement listed = browser.findElement(By.xpath("//table[@id='directory']/tbody/tr[td/a='" + org + "']"));
    assertEquals(admin.balance(org).getPeriod().getCharged(),
        Credits.parse(listed.findElements(By.tagName("td")).get(3).getText()), "the directory ranked by this month");
    assertEquals("Used this month", browser.findElement(By.xpath("//table[@id='directory']/thead/tr/th[4]")).getText());
    Browser.screenshot(browser, "directory");

    browser.findElement(By.cssSelector("#directory a[href='" + Links.org(org) + "']")).click();
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(By.id("available")));
    assertEquals(org, browser.findElement(By.id("org-id")).getText());
  }

  @Test
  void anotherOrgsKeyGetsNoUsageStatementOrDirectory() throws Exception {
    String intruder = "intruder-" + UUID.randomUUID().toString().substring(0, 8);
    admin.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(intruder).setPlan("payg").build());
    String session = session(intruder, admin.accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole("reader")
        .setOrgId(intruder).build()).getKey());
    var start = admin.balance(org).getPeriod().getStart();
    String statement = Links.statement(org, java.time.Instant.ofEpochSecond(start.getSeconds(), start.getNanos()));
    for (String path : List.of(Links.usage(org), Links.usageCsv(org, defaultRange()), Links.statements(org, ""),
        statement, Links.DIRECTORY)) {
      HttpResponse<String> page = get(path, session);
      assertEquals(403, page.statusCode(), path);
      assertFalse(page.body().contains(org), "the other org's id is not in the page: " + path);
      assertFalse(page.body().contains("studio") || page.body().contains("Reports &amp; Co"), "nor its data: " + path);
    }
  }
}
