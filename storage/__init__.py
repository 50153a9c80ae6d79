"""Persistence: SQLAlchemy models, repositories, the FSM storage and migrations."""
