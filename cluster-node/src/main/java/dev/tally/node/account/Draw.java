package dev.tally.node.account;

import dev.tally.node.CborSerializable;

/** Micro-credits taken from one grant by a charge or a debt settlement. */
public record Draw(String grantId, long amount) implements CborSerializable {}
