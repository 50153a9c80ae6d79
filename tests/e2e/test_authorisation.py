"""Who may use the console: every operator, expert and admin command, and forged
callbacks into the console's dialogs, tried by each kind of person. A hidden menu
entry is not a permission: the server refuses everyone but the intended roles."""

from __future__ import annotations

import pytest

from storage.models import Role
from tests import seeding
from tests.e2e.journeys import BIN_DARYN, BIN_KAMKOR, label, open_menu, texts
from tests.seeding import NOW, in_database, staff, submitted

NOBODY, NGO, OTHER_NGO, EXPERT, OPERATOR, ADMIN = 770001, 770002, 770003, 770101, 770201, 770301
PEOPLE = {"none": NOBODY, "ngo": NGO, "expert": EXPERT, "operator": OPERATOR, "admin": ADMIN}
# Which command each role may use; the admin comes from ADMIN_IDS, not from a grant.
ALLOWED = {
    "/operator": {"operator", "admin"},
    "/expert": {"expert"},
    "/roles": {"admin"},
}
OPENED = {"/operator": "console.menu.title", "/expert": "expert.list", "/roles": "roles.list"}
HIDDEN_ENTRIES = {"operator": {"operator", "admin"}, "expert": {"expert"}}


def first_line(key: str, **params) -> str:
    return texts("ru")(key, **params).split("\n")[0].replace("<b>", "").replace("</b>", "")


FORBIDDEN = first_line("console.forbidden")


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"admin_ids": frozenset({ADMIN})})


@pytest.fixture
async def seeded(world):
    world.clock.set(NOW)

    async def seed(store):
        await seeding.topics(store, NOW)
        mine = await submitted(store, NGO, bin_=BIN_KAMKOR, name="Qamqor", locale="ru", title="A")
        other = await submitted(
            store, OTHER_NGO, bin_=BIN_DARYN, name="Daryn", locale="ru", title="B"
        )
        await seeding.person(store, NOBODY, name="Nobody")
        await seeding.person(store, ADMIN, name="Admin")
        await staff(store, EXPERT, Role.EXPERT, "Expert")
        await staff(store, OPERATOR, Role.OPERATOR, "Operator")
        return mine, other

    return await in_database(world.settings.database_url, seed)


def shows(user, key: str) -> bool:
    return any(first_line(key) in (m.text or "") for m in user.messages())


@pytest.mark.parametrize("command", sorted(ALLOWED))
async def test_console_commands_by_role(world, seeded, user_factory, command):
    for role, telegram_id in PEOPLE.items():
        user = user_factory(telegram_id, "ru")
        await open_menu(user, "ru")
        await user.send(command)
        if role in ALLOWED[command]:
            assert shows(user, OPENED[command]), (role, command)
            assert user.last_message().text.split("\n")[0] != FORBIDDEN
        else:
            assert user.last_message().text == FORBIDDEN, (role, command)
            assert not shows(user, OPENED[command]), (role, command)


async def test_hidden_menu_entries_refuse_forged_presses(world, seeded, user_factory):
    for role, telegram_id in PEOPLE.items():
        user = user_factory(telegram_id, "ru")
        await open_menu(user, "ru")
        menu = user.last_message()
        shown = {b.text for row in menu.buttons for b in row}
        intent = menu.buttons[0][0].callback_data.split("\x1d")[0]
        for entry, roles in HIDDEN_ENTRIES.items():
            assert (label("ru", f"menu.{entry}") in shown) == (role in roles), (role, entry)
            await user.press_data(f"{intent}\x1d{entry}", message=menu)
            opened = shows(user, "console.menu.title" if entry == "operator" else "expert.list")
            assert opened == (role in roles), (role, entry)


async def test_forged_console_buttons_are_refused(world, seeded, user_factory):
    """Inside an operator's dialog of their own, a non-operator cannot get anything:
    every press into a console dialog is re-checked on the server."""
    operator = user_factory(OPERATOR, "ru")
    await operator.send("/operator")
    forged = operator.last_message().buttons[0][0].callback_data
    for role in ("none", "ngo", "expert"):
        user = user_factory(PEOPLE[role], "ru")
        await open_menu(user, "ru")
        await user.press_data(forged)
        assert not shows(user, "topic_admin.list"), role


async def test_an_expert_cannot_open_an_application_not_assigned(world, seeded, user_factory):
    mine, other = seeded

    async def assign(store):
        from console import competition
        from console.roles import acting_as

        operator = acting_as(await store.people.get(OPERATOR), (), (Role.OPERATOR,))
        for app in (mine, other):
            await competition.mark_complete(store, operator, app.application_id, NOW)
        expert = await store.people.get(EXPERT)
        await competition.assign(store, operator, mine.application_id, expert.id, NOW)

    await in_database(world.settings.database_url, assign)
    expert = user_factory(EXPERT, "ru")
    await open_menu(expert, "ru")
    await expert.send("/expert")
    # The list, not the "assigned to you" notice, which the outbox may send just after it.
    listed = [
        b for m in expert.messages() for row in m.buttons for b in row if mine.reference in b.text
    ]
    assert listed
    forged = listed[0].callback_data.replace(f":{mine.application_id}", f":{other.application_id}")
    await expert.press_data(forged)
    assert expert.last_callback_answer.text == FORBIDDEN
    assert not any(other.reference in (m.text or "") for m in expert.messages())


async def test_an_ngo_cannot_open_another_ngos_application(world, seeded, user_factory):
    mine, other = seeded
    ngo = user_factory(NGO, "ru")
    await open_menu(ngo, "ru")
    await ngo.send("/applications")
    listed = [b for row in ngo.last_message().buttons for b in row if mine.reference in b.text]
    assert listed
    forged = listed[0].callback_data.replace(f":{mine.application_id}", f":{other.application_id}")
    await ngo.press_data(forged)
    assert not any(other.reference in (m.text or "") for m in ngo.messages())
