"""Shared kernel: the decider protocol, ids, time, actors and domain errors."""
