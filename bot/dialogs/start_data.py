"""The keys of what one dialog (or a command) hands another when it starts it.

A dialog's start data is a dict; these are the names both sides use, so the one
that starts a dialog and the one started cannot drift apart.
"""

from __future__ import annotations

# The organisation an application, a filing or the staff list is about.
ORGANISATION_ID = "organisation_id"
# The grant topic an application is started for.
TOPIC_ID = "topic_id"
# An application to continue.
APPLICATION_ID = "application_id"
# The year an activity report is filed for.
YEAR = "year"
# The invite a newcomer came with, redeemed once they consent.
INVITE_TOKEN = "token"
