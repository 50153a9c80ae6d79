"""The NGO registry's use cases: organisations, staff, activity information, privacy.

No Telegram here: handlers and dialogs call these with a `Store` and commit.
"""
