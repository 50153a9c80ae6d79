"""Moved to tests/seeding.py; kept for the tests that still import it from here."""

from tests.seeding import ZONE, Seeded, organisation, person, topics

__all__ = ["ZONE", "Seeded", "organisation", "person", "topics"]
