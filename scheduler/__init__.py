"""The clock. APScheduler only says when; durable state lives in the project's tables."""
