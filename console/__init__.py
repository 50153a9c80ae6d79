"""The operator's, experts' and admins' use cases: roles, the audit log, topics and
the competition. No Telegram here: bot/ translates events into these calls."""
