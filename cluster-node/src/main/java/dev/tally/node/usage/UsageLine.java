package dev.tally.node.usage;

import dev.tally.node.CborSerializable;

/** What some of an org's events add to one of its usage rows. */
public record UsageLine(UsageKey key, UsageCounts counts) implements CborSerializable {}
