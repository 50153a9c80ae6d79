"""Names vulture reports as unused that are used: each with the reason.

Read by vulture with the product packages (`.ci/run`, `tests/test_dead_code.py`);
never imported. Alembic's revision modules, pydantic validators and the emulator's
`@api_method` handlers are left out in pyproject's `[tool.vulture]` instead.
Add a name here only with its reason; dead code is removed, not listed.
"""

# ruff: noqa: B018, F821

# aiogram-dialog: the framework calls these; handlers set `manager.show_mode`.
show_mode
_render_text  # Text widgets' rendering hook (bot/dialogs/common.py, organisation_fields.py)
duration  # states.ApplicationForm: the form's states are walked in order (__states__)
institutional  # likewise

# pydantic / aiogram: read by pydantic through the class itself (bot/aiogram_types.py).
model_rebuild
__pydantic_fields__
__pydantic_extra_info__

# Python protocols and library hooks.
__call__  # core/i18n.py: the translator is called, t(key, ...)
_do_submit_job  # scheduler/clock.py: APScheduler's executor hook
set_state  # storage/fsm.py: aiogram's BaseStorage interface
set_data  # likewise
get_data  # likewise
impl  # storage/types.py: SQLAlchemy TypeDecorator
cache_ok  # likewise
process_bind_param  # likewise
process_result_value  # likewise
metadata  # storage/models.py: SQLAlchemy's declarative base (read by Alembic's env.py)
type_annotation_map  # likewise
include_name  # storage/models.py: Alembic's autogenerate filter
parent_names  # its signature is Alembic's
font  # console/exports.py: openpyxl cell style, set for the file's reader
freeze_panes  # likewise

# ORM columns and row fields: written, and read by SQL, exports and tests.
granted_at
used_by
description_kk
description_en
status_changed_at
last_error
sent_at
telegram_message_id
declared_at
relevance
feasibility
impact
criteria_means  # console/competition.py: per-criterion means, asserted by tests

# Enum members and counters reached by value, by iteration or through getattr.
PUBLIC_ASSOCIATION  # domain/organisation.py: LegalForm, offered by iterating the enum
PUBLIC_FOUNDATION
ASSOCIATION_OF_LEGAL_ENTITIES
PRIVATE_INSTITUTION
OTHER
CSV  # console/exports.py: ExportFormat, chosen by value from a button
MY_REGION  # grants/topics.py: TopicFilter, chosen by value from a button
retried  # delivery/sender.py: counted through getattr by outcome

# Called by tests only, on purpose.
placeholders  # core/i18n.py: the catalog tests compare placeholders across languages
downgrade  # storage/migrate.py: the migration stairway tests and bench/explain.py
recent  # storage/repositories/dead_letters.py: the dead-letter tests read the table
restart_bot  # bot/local_world.py: the end-to-end tests' crash and restart

# The emulator is a test tool: its API is for tests/ and bench/, not the product.
set_rate_limits
chat_messages
eligible_calls
request_location
escape_markdown_v2
timestamp
ok
show_alert
callback_query_id
sender_id
button_texts
last_message
last_callback_answer
send_sticker
edit_last
block

# storage/models.py: written by PeopleRepository._pseudonymise through update().values().
erased_at
