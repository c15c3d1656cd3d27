package dev.tally.node.terms;

/** The commercial terms accounts run under: the plan catalog and the price book. */
public record Terms(PlanCatalog plans, PriceBook prices) {}
