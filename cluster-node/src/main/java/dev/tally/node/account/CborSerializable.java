package dev.tally.node.account;

/** Marks what crosses the wire or goes to the journal: serialized by Pekko's Jackson CBOR serializer. */
public interface CborSerializable {}
