"""Repositories read and write rows on a session they are given. They never commit."""
