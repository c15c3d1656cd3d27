package dev.tally.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which URLs an endpoint may have, with the node's real resolver unless a test says otherwise. */
class EndpointUrlsTest {

  final EndpointUrls urls = new EndpointUrls(false);

  void refused(String url, String because) {
    Optional<String> refusal = urls.refusal(url);
    assertTrue(refusal.isPresent(), url + " was accepted");
    assertTrue(refusal.get().contains(because), () -> url + ": " + refusal.get());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://8.8.8.8/hooks", "http://1.1.1.1:8080/tally?x=1", "https://172.32.0.1/",
      "https://100.128.0.1/", "https://[2606:4700:4700::1111]/hooks", "https://[::ffff:8.8.8.8]/", "HTTPS://8.8.8.8/"})
  void publicAddressesOverHttpOrHttpsAreAccepted(String url) {
    assertEquals(Optional.empty(), urls.refusal(url));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1/", "http://127.8.9.1:9000/", "http://localhost:8080/"})
  void loopbackIsRefused(String url) {
    refused(url, "loopback");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/"})
  void rfc1918IsRefused(String url) {
    refused(url, "private (RFC 1918)");
  }

  @Test
  void theOtherInternalIpv4RangesAreRefused() {
    refused("http://169.254.169.254/latest/meta-data", "link-local");
    refused("http://100.64.0.1/", "CGNAT");
    refused("http://100.127.255.255/", "CGNAT");
    refused("http://0.0.0.0/", "unspecified");
    refused("http://224.0.0.1/", "multicast");
    refused("http://255.255.255.255/", "broadcast");
  }

  @Test
  void internalIpv6RangesAreRefused() {
    refused("http://[::1]/", "loopback");
    refused("http://[::]/", "unspecified");
    refused("http://[fe80::1]/", "link-local");
    refused("http://[fc00::1]/", "unique local");
    refused("http://[fd12:3456::1]/", "unique local");
    refused("http://[fec0::1]/", "site-local");
    refused("http://[ff02::1]/", "multicast");
  }

  @Test
  void ipv6AddressesCarryingAnInternalIpv4AddressAreRefused() {
    refused("http://[::ffff:127.0.0.1]/", "loopback");
    refused("http://[::ffff:7f00:1]/", "loopback");
    refused("http://[::ffff:10.0.0.1]/", "RFC 1918");
    refused("http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "link-local");
    refused("http://[::10.0.0.1]/", "RFC 1918");
    refused("http://[64:ff9b::a00:1]/", "RFC 1918");
    refused("http://[2002:c0a8:0101::1]/", "RFC 1918");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/",
      "http://0x7f.0.0.1/", "http://017700000001/", "http://10.0.1/", "http://8.8.8.08/"})
  void numericHostsOtherThanDottedQuadsAreRefusedWhateverTheyMean(String url) {
    refused(url, "four decimal numbers");
  }

  @Test
  void aNameThatResolvesToAnInternalAddressIsRefused() {
    EndpointUrls rebound = new EndpointUrls(false, host -> new InetAddress[] {
        InetAddress.getByName("93.184.215.14"), InetAddress.getByName("10.0.0.5")});
    Optional<String> refusal = rebound.refusal("https://hooks.example.com/tally");
    assertTrue(refusal.orElseThrow().contains("hooks.example.com at a private (RFC 1918) address (10.0.0.5)"), refusal::get);
  }

  @Test
  void aNameThatDoesNotResolveIsRefused() {
    EndpointUrls nowhere = new EndpointUrls(false, host -> {
      throw new UnknownHostException(host);
    });
    refusedBy(nowhere, "https://hooks.example.invalid/", "does not resolve");
  }

  static void refusedBy(EndpointUrls urls, String url, String because) {
    assertTrue(urls.refusal(url).orElseThrow().contains(because));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://8.8.8.8/", "file:///etc/passwd", "javascript:alert(1)", "/relative/path",
      "8.8.8.8/hooks", "gopher://8.8.8.8/"})
  void onlyHttpAndHttpsAreAccepted(String url) {
    refused(url, "http or https");
  }

  @Test
  void userInfoIsRefused() {
    refused("https://user:secret@8.8.8.8/", "user name or password");
    refused("https://user@8.8.8.8/", "user name or password");
  }

  @Test
  void malformedEmptyAndOverlongUrlsAreRefused() {
    refused("", "is required");
    refused("https://8.8.8.8/a b", "is not a URL");
    refused("https:///path-only", "must name a host");
    refused("https://8.8.8.8:0/", "port 0");
    refused("https://8.8.8.8/" + "a".repeat(EndpointUrls.MAX_LENGTH), "at most 2048");
  }

  @Test
  void theOperatorSettingAllowsInternalAddressesButNotOtherSchemesOrUserInfo() {
    EndpointUrls allowing = new EndpointUrls(true);
    assertEquals(Optional.empty(), allowing.refusal("http://127.0.0.1:8080/hooks"));
    assertEquals(Optional.empty(), allowing.refusal("http://10.1.2.3/"));
    assertEquals(Optional.empty(), allowing.refusal("http://[::1]/"));
    refusedBy(allowing, "ftp://127.0.0.1/", "http or https");
    refusedBy(allowing, "http://u:p@127.0.0.1/", "user name");
    refusedBy(allowing, "http://2130706433/", "four decimal numbers");
  }

  @Test
  void theDeliverersConnectTimeCheckRefusesInternalAddressesUnlessAllowed() throws UnknownHostException {
    assertTrue(urls.refusal(InetAddress.getByName("192.168.0.7")).isPresent());
    assertTrue(urls.refusal(InetAddress.getByName("::1")).isPresent());
    assertEquals(Optional.empty(), urls.refusal(InetAddress.getByName("8.8.4.4")));
    assertEquals(Optional.empty(), new EndpointUrls(true).refusal(InetAddress.getByName("127.0.0.1")));
  }
}
