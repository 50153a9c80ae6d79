"""Every dialog's states, in one place."""

from aiogram.fsm.state import State, StatesGroup


class MainMenu(StatesGroup):
    main = State()


class Consent(StatesGroup):
    """Asked before any personal data is kept; returns to whatever asked for it."""

    ask = State()


class Registration(StatesGroup):
    bin = State()
    bin_taken = State()
    # The BIN's organisation is archived (nobody left): ask the operator to revive it.
    bin_archived = State()
    name = State()
    name_alt = State()
    legal_form = State()
    region = State()
    areas = State()
    description = State()
    phone = State()
    email = State()
    website = State()
    founded_year = State()
    staff_count = State()
    volunteer_count = State()
    public_listing = State()
    summary = State()
    resume = State()


class OrganisationCard(StatesGroup):
    card = State()
    switch = State()
    edit_field = State()
    edit_value = State()


class Staff(StatesGroup):
    members = State()
    member = State()
    invites = State()
    requests = State()
    confirm_transfer = State()
    confirm_remove = State()
    join = State()


class Filing(StatesGroup):
    overview = State()
    number = State()
    project_title = State()
    project_area = State()
    project_region = State()
    project_beneficiaries = State()
    projects = State()
    confirm_submit = State()
    receipt = State()
    no_organisation = State()


class Directory(StatesGroup):
    search = State()
    results = State()
    region = State()
    area = State()
    card = State()


class Topics(StatesGroup):
    """Finding open grant topics: the list with filters, and a topic's card."""

    list = State()
    card = State()
    refusal = State()


class ApplicationForm(StatesGroup):
    """Writing an application: one step per field, then the summary and submission."""

    title = State()
    problem = State()
    activities = State()
    results = State()
    beneficiaries = State()
    duration = State()
    budget = State()
    institutional = State()
    regions = State()
    language = State()
    attachment = State()
    summary = State()
    missing = State()
    confirm_submit = State()
    receipt = State()


class MyApplications(StatesGroup):
    list = State()
    details = State()
    confirm_withdraw = State()
    confirm_delete = State()


class SettingsMenu(StatesGroup):
    """/settings: which kinds of messages a person wants from the bot."""

    main = State()


class OperatorMenu(StatesGroup):
    """The operator console's front page (operators and admins)."""

    main = State()


class OperatorTopics(StatesGroup):
    """Grant topics in the bot: the list, a topic's card, creating and editing."""

    list = State()
    card = State()
    ask = State()
    preview = State()
    edit_field = State()
    edit_value = State()
    close_reason = State()
    close_confirm = State()
    undo_confirm = State()


class OperatorCompetition(StatesGroup):
    """Compliance check, expert assignment, summary and decision, topic by topic."""

    topics = State()
    queue = State()
    application = State()
    incomplete_reason = State()
    experts = State()
    amount = State()
    reject_reason = State()
    reveal = State()
    reveal_time = State()
    summary = State()
    confirm = State()


class ExpertDesk(StatesGroup):
    """An expert's applications: read, declare a conflict, or score with a comment."""

    list = State()
    application = State()
    confirm_conflict = State()
    mark = State()
    comment = State()
    confirm_score = State()


class RolesAdmin(StatesGroup):
    """/roles: admins grant and revoke roles."""

    list = State()
    person = State()
    role = State()


class AwardsApply(StatesGroup):
    """/awards: an organisation applies to an award round with a successful project."""

    rounds = State()
    card = State()
    direction = State()
    description = State()
    results = State()
    evidence = State()
    confirm = State()
    no_organisation = State()


class AwardRounds(StatesGroup):
    """/award_rounds: the operator opens rounds and records the winners."""

    list = State()
    title_kk = State()
    title_ru = State()
    title_en = State()
    directions = State()
    opens = State()
    closes = State()
    confirm = State()
    round = State()
    application = State()


class SupportInbox(StatesGroup):
    """/ask: questions to the operator and the answers so far."""

    threads = State()
    question = State()


class Broadcast(StatesGroup):
    """/broadcast: the operator writes an announcement, picks who gets it, previews, sends."""

    text = State()
    media = State()
    segment = State()
    values = State()
    number = State()
    confirm = State()
