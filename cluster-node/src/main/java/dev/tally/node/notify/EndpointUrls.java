package dev.tally.node.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which URLs a webhook endpoint may have (issue 19 item 4): http or https only, no user info, at
 * most {@link #MAX_LENGTH} characters, a host written as a name, a dotted-quad IPv4 or a bracketed
 * IPv6 literal, and, unless the operator allows it ({@code TALLY_WEBHOOKS_ALLOW_PRIVATE}), a host
 * none of whose addresses is loopback, unspecified, link-local, private (RFC 1918, fc00::/7,
 * fec0::/10), shared (CGNAT, 100.64.0.0/10), multicast, broadcast or reserved (240.0.0.0/4), also
 * when written as an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address.
 *
 * <p>The check at registration is not enough: a name may resolve to a public address now and to a
 * private one later (DNS rebinding). The deliverer must check the address it actually connects to
 * with {@link #refusal(InetAddress)} at connect time, every time.
 */
public final class EndpointUrls {

  /** The longest URL an endpoint may have. */
  public static final int MAX_LENGTH = 2048;

  /** A host made of digits, dots and 0x: some resolver reads it as an IPv4 address, whichever way it is written. */
  private static final Pattern NUMERIC_HOST = Pattern.compile("[0-9a-fA-FxX.]+");
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Pattern HEX_OR_DIGITS_ONLY = Pattern.compile("(0[xX][0-9a-fA-F]*|[0-9]+)(\\.(0[xX][0-9a-fA-F]*|[0-9]+))*\\.?");

  /** Turns a host name into its addresses; the node's is {@link InetAddress#getAllByName}. */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final boolean allowPrivate;
  private final Resolver resolver;

  /** @param allowPrivate whether endpoints may be on private, loopback and other internal addresses (tests, one-network deployments) */
  public EndpointUrls(boolean allowPrivate, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
  }

  public EndpointUrls(boolean allowPrivate) {
    this(allowPrivate, InetAddress::getAllByName);
  }

  public boolean allowsPrivate() {
    return allowPrivate;
  }

  /**
   * Why {@code url} may not be an endpoint's URL, for the field violation of {@code url}; empty
   * when it may. Resolves the host: this may wait for DNS.
   */
  public Optional<String> refusal(String url) {
    if (url.isEmpty()) return Optional.of("is required");
    if (url.length() > MAX_LENGTH) return Optional.of("must be at most " + MAX_LENGTH + " characters");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Optional.of("is not a URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) return Optional.of("must be an http or https URL");
    if (uri.getRawUserInfo() != null) return Optional.of("must not carry a user name or password");
    // java.net.URI leaves the host null for some numeric forms (127.1): the authority tells them apart.
    String host = uri.getHost();
    String written = host != null ? host
        : uri.getRawAuthority() == null ? "" : uri.getRawAuthority().replaceFirst(":[0-9]*$", "");
    if (!written.startsWith("[") && NUMERIC_HOST.matcher(written).matches()
        && HEX_OR_DIGITS_ONLY.matcher(written).matches() && !DOTTED_QUAD.matcher(written).matches()) {
      // 2130706433, 0x7f000001, 0177.0.0.1, 127.1: other resolvers read them as addresses; only a.b.c.d is unambiguous.
      return Optional.of("must write an IPv4 host as four decimal numbers a.b.c.d");
    }
    if (host == null || host.isEmpty()) return Optional.of("must name a host");
    if (uri.getPort() == 0) return Optional.of("must not name port 0");
    if (allowPrivate) return Optional.empty();
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
    } catch (UnknownHostException e) {
      return Optional.of("names a host that does not resolve: " + host);
    }
    for (InetAddress address : addresses) {
      Optional<String> refused = refusal(address);
      if (refused.isPresent()) return Optional.of("names host " + host + " at " + refused.get());
    }
    return Optional.empty();
  }

  /**
   * Why a delivery may not connect to {@code address}; empty when it may. The deliverer calls this
   * with the address it is about to connect to, since a name's addresses change (DNS rebinding).
   */
  public Optional<String> refusal(InetAddress address) {
    if (allowPrivate) return Optional.empty();
    String range = internalRange(address);
    return range == null ? Optional.empty()
        : Optional.of("a " + range + " address (" + address.getHostAddress() + "), which TALLY_WEBHOOKS_ALLOW_PRIVATE does not allow");
  }

  /** The internal range {@code address} is in ("loopback", "private"...), or null for a public address. */
  static String internalRange(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      InetAddress embedded = embeddedIpv4(b);
      if (embedded != null) return internalRange(embedded);
      if (address.isAnyLocalAddress()) return "unspecified";
      if (address.isLoopbackAddress()) return "loopback";
      if (address.isLinkLocalAddress()) return "link-local";
      if (address.isSiteLocalAddress()) return "site-local";
      if ((b[0] & 0xfe) == 0xfc) return "unique local (fc00::/7)";
      if (address.isMulticastAddress()) return "multicast";
      return null;
    }
    byte[] b = ((Inet4Address) address).getAddress();
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    if (first == 0) return "unspecified (0.0.0.0/8)";
    if (address.isLoopbackAddress()) return "loopback";
    if (address.isLinkLocalAddress()) return "link-local";
    if (address.isSiteLocalAddress()) return "private (RFC 1918)";
    if (first == 100 && (second & 0xc0) == 64) return "shared (CGNAT, 100.64.0.0/10)";
    if (address.isMulticastAddress()) return "multicast";
    if (first >= 240) return "reserved or broadcast (240.0.0.0/4)";
    return null;
  }

  /**
   * The IPv4 address an IPv6 address carries and that a network may route to: IPv4-mapped
   * (::ffff:0:0/96; Java parses most of these as IPv4 already), IPv4-compatible (::/96, but not :: and
   * ::1), NAT64 (64:ff9b::/96) and 6to4 (2002::/16). Null when it carries none.
   */
  private static InetAddress embeddedIpv4(byte[] b) {
    boolean firstTenZero = true;
    for (int i = 0; i < 10; i++) firstTenZero &= b[i] == 0;
    try {
      if (firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
      }
      boolean unspecifiedOrLoopback = b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1);
      if (firstTenZero && b[10] == 0 && b[11] == 0 && !unspecifiedOrLoopback) {
        return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
      }
      boolean nat64 = b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
      for (int i = 4; i < 12 && nat64; i++) nat64 = b[i] == 0;
      if (nat64) return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) return InetAddress.getByAddress(new byte[] {b[2], b[3], b[4], b[5]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an IPv4 address", e);
    }
    return null;
  }
}
