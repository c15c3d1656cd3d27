package dev.tally.node.it;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** A method's requests and answers as the bytes on the wire: to send what no generated stub would. */
final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {

  private static final RawBytes MARSHALLER = new RawBytes();

  private RawBytes() {}

  /** {@code method} taking and answering bytes. */
  static MethodDescriptor<byte[], byte[]> of(MethodDescriptor<?, ?> method) {
    return method.toBuilder(MARSHALLER, MARSHALLER).build();
  }

  @Override
  public InputStream stream(byte[] value) {
    return new ByteArrayInputStream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
