"""Synthetic schools and semesters for load tests, benchmarks and ``second-classroom simulate``:
``School.found`` builds the structure, ``simulate`` plays a semester on it. Deterministic for a
given seed; a platform can point them at its own deployment."""

from second_classroom.simulation.school import SCHOOL_ADMIN, TERM_START, Host, School
from second_classroom.simulation.semester import SimulationReport, StageFigures, simulate

__all__ = [
    "SCHOOL_ADMIN",
    "TERM_START",
    "Host",
    "School",
    "SimulationReport",
    "StageFigures",
    "simulate",
]
