package dev.tally.ops.cassandra;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether a Cassandra answers on its CQL native port, asked the way any client opens a connection:
 * OPTIONS (answered by SUPPORTED), then STARTUP (READY, or a login asked for and granted). Raw frames of
 * native protocol v4 on a plain socket, which takes milliseconds: a driver session per check took seconds
 * to open and 2 s to close.
 */
final class CqlReadiness {

  /** The login to give when the server asks for one (PasswordAuthenticator). */
  record Login(String username, String password) {}

  private static final byte REQUEST_V4 = 0x04;
  private static final byte RESPONSE_V4 = (byte) 0x84;
  private static final byte ERROR = 0x00;
  private static final byte STARTUP = 0x01;
  private static final byte READY = 0x02;
  private static final byte AUTHENTICATE = 0x03;
  private static final byte OPTIONS = 0x05;
  private static final byte SUPPORTED = 0x06;
  private static final byte AUTH_RESPONSE = 0x0F;
  private static final byte AUTH_SUCCESS = 0x10;
  /** A response body larger than this is no Cassandra's answer to these requests. */
  private static final int MAX_BODY = 1 << 20;

  private CqlReadiness() {}

  /** True once a client can connect to {@code address} (and log in with {@code login} when asked); never throws. */
  static boolean answers(InetSocketAddress address, Optional<Login> login, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      send(out, OPTIONS, new byte[0]);
      if (receive(in) != SUPPORTED) return false;
      send(out, STARTUP, startupBody());
      byte answer = receive(in);
      if (answer == READY) return true;
      if (answer != AUTHENTICATE || login.isEmpty()) return false;
      send(out, AUTH_RESPONSE, plainSaslToken(login.get()));
      return receive(in) == AUTH_SUCCESS;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static void send(DataOutputStream out, byte opcode, byte[] body) throws IOException {
    out.writeByte(REQUEST_V4);
    out.writeByte(0); // flags: no compression, no tracing
    out.writeShort(0); // stream id
    out.writeByte(opcode);
    out.writeInt(body.length);
    out.write(body);
    out.flush();
  }

  /** The response's opcode, its body read and dropped; ERROR for anything that is not a v4 response. */
  private static byte receive(DataInputStream in) throws IOException {
    byte version = in.readByte();
    in.readByte(); // flags
    in.readShort(); // stream id
    byte opcode = in.readByte();
    int length = in.readInt();
    if (version != RESPONSE_V4 || length < 0 || length > MAX_BODY) return ERROR;
    in.skipNBytes(length);
    return opcode;
  }

  /** A [string map] with the one entry STARTUP requires. */
  private static byte[] startupBody() throws IOException {
    var bytes = new ByteArrayOutputStream();
    DataOutputStream body = new DataOutputStream(bytes);
    body.writeShort(1);
    writeString(body, "CQL_VERSION");
    writeString(body, "3.0.0");
    return bytes.toByteArray();
  }

  /** SASL PLAIN, which Cassandra's PasswordAuthenticator reads: NUL username NUL password, as [bytes]. */
  private static byte[] plainSaslToken(Login login) throws IOException {
    byte[] user = login.username().getBytes(StandardCharsets.UTF_8);
    byte[] password = login.password().getBytes(StandardCharsets.UTF_8);
    var bytes = new ByteArrayOutputStream();
    DataOutputStream body = new DataOutputStream(bytes);
    body.writeInt(user.length + password.length + 2);
    body.writeByte(0);
    body.write(user);
    body.writeByte(0);
    body.write(password);
    return bytes.toByteArray();
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeShort(utf8.length);
    out.write(utf8);
  }
}
