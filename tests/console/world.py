"""Moved to tests/seeding.py; kept for the tests that still import it from here."""

from tests.seeding import APPLICATION_ANSWERS as ANSWERS
from tests.seeding import NOW, POLICY, TOPIC, Submitted, in_database, staff, submitted

__all__ = ["ANSWERS", "NOW", "POLICY", "TOPIC", "Submitted", "in_database", "staff", "submitted"]
