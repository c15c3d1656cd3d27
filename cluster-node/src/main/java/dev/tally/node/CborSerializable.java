package dev.tally.node;

/** Marks what crosses the wire or goes to the journal: serialized by Pekko's Jackson CBOR serializer. */
public interface CborSerializable {}
