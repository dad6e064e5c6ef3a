"""Aggregates: one module each, holding state, events, commands, decide and evolve."""
