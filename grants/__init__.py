"""Grant topics and applications: finding a topic, eligibility, writing, submitting.

No Telegram here: handlers, dialogs and the scheduler call these with a `Store`.
"""
