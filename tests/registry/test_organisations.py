"""The organisation form's parsing, and the registration and editing use cases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.bin import InvalidBin
from domain.errors import RuleViolation
from domain.phone import InvalidPhone
from domain.text_input import InvalidNumber
from domain.text_limits import InvalidText
from registry import organisations
from registry.forms import (
    FIELDS,
    InvalidChoice,
    check_form,
    check_value,
    missing_fields,
)
from registry.organisations import OrganisationError
from registry.staff import StaffError
from storage.models import MemberRole
from storage.store import Store
from tests import seeding

TODAY = date(2026, 11, 20)
BIN = "940140000385"
OTHER_BIN = "990140004654"
OWNER_ID = 810001
STRANGER_ID = 810002

ANSWERS = {
    **seeding.ORGANISATION_ANSWERS,
    "name_alt": "Общественное объединение «Камкор»",
    "areas": ["education", "children_and_youth"],
}


# The form


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("bin", "9401 4000 0385", BIN),
        ("bin", "940140-000385", BIN),
        ("name", "  Қамқор\t ", "Қамқор"),
        ("name_alt", "   ", None),
        ("description", "a" * 1000, "a" * 1000),
        ("phone", "8 (701) 123-45-67", "+77011234567"),
        ("phone", "+7 701 123 45 67", "+77011234567"),
        ("email", "Info@Kamkor.KZ", "Info@kamkor.kz"),
        ("website", "kamkor.kz", "https://kamkor.kz"),
        ("website", "", None),
        ("founded_year", " 2015 ", 2015),
        ("founded_year", 1991, 1991),
        ("staff_count", "0", 0),
        ("volunteer_count", "1 200", 1200),
        ("legal_form", "public_foundation", "public_foundation"),
        ("region", "north_kazakhstan", "north_kazakhstan"),
        ("areas", ["health", "culture", "health"], ["culture", "health"]),
        ("public_listing", False, False),
    ],
)
def test_good_answers_are_cleaned(field, raw, expected):
    assert check_value(field, raw, TODAY) == expected


@pytest.mark.parametrize(
    ("field", "raw", "error", "code"),
    [
        ("bin", "940140000386", InvalidBin, "bin.check_digit"),
        ("bin", "12345", InvalidBin, "bin.length"),
        ("bin", "940160000385", InvalidBin, "bin.entrepreneur"),
        ("name", "   ", InvalidText, "text.empty"),
        ("name", "x" * 301, InvalidText, "text.too_long"),
        ("description", "a" * 1001, InvalidText, "text.too_long"),
        ("phone", "12345", InvalidPhone, "phone.length"),
        ("phone", "call me", InvalidPhone, "phone.characters"),
        ("email", "info.kamkor.kz", RuleViolation, "email.no_at_sign"),
        ("website", "ftp://kamkor.kz", RuleViolation, "website.scheme"),
        ("founded_year", "twenty", InvalidNumber, "number.not_a_number"),
        ("founded_year", "1990", RuleViolation, "organisation.founded_too_early"),
        ("founded_year", "2027", RuleViolation, "organisation.founded_in_future"),
        ("staff_count", "-1", InvalidNumber, "number.negative"),
        ("staff_count", "150 ₸", InvalidNumber, "number.wrong_unit"),
        ("staff_count", "²", InvalidNumber, "number.not_a_number"),
        ("name", "\u200e\u200f\u2060", InvalidText, "text.empty"),
        ("name", "\u3164 \u2800", InvalidText, "text.empty"),
        ("name", "\u2800\u00b7\u2800", InvalidText, "text.no_letters"),
        ("staff_count", "1000000", RuleViolation, "organisation.count_too_large"),
        ("staff_count", "5.5", InvalidNumber, "number.fraction"),
        ("legal_form", "llp", InvalidChoice, "choice.unknown"),
        ("region", "moscow", InvalidChoice, "choice.unknown"),
        ("areas", [], InvalidChoice, "choice.none_chosen"),
        ("areas", ["health", "piracy"], InvalidChoice, "choice.unknown"),
        ("public_listing", "yes", InvalidChoice, "choice.unknown"),
        ("staff_count", True, InvalidChoice, "choice.unknown"),
        ("name", ["a list"], InvalidChoice, "choice.unknown"),
    ],
)
def test_bad_answers_are_refused_with_a_code(field, raw, error, code):
    with pytest.raises(error) as refusal:
        check_value(field, raw, TODAY)
    assert refusal.value.code == code


def test_a_refused_description_states_the_limit():
    with pytest.raises(InvalidText) as refusal:
        check_value("description", "a" * 1001, TODAY)
    assert refusal.value.params == {"limit": 1000, "count": 1001}


def test_the_form_lists_what_is_missing_in_order():
    assert missing_fields({}) == [f for f in FIELDS if f not in ("name_alt", "website")]
    assert missing_fields(ANSWERS) == []
    assert check_form(ANSWERS, TODAY)["areas"] == ["children_and_youth", "education"]
    with pytest.raises(KeyError):
        check_form({**ANSWERS, "email": None}, TODAY)


# The use cases


async def _person(store: Store, telegram_id: int, consent: bool = True):
    if not consent:
        return await seeding.person(store, telegram_id, "kk", name=None)
    consented_at = datetime(2026, 11, 20, tzinfo=UTC)
    return await seeding.person(store, telegram_id, "kk", "Aigerim", consented_at=consented_at)


async def test_register_needs_consent(session_factory):
    async with session_factory() as session:
        store = Store(session)
        person = await _person(store, OWNER_ID, consent=False)
        with pytest.raises(OrganisationError) as refusal:
            await organisations.register(store, person, ANSWERS, TODAY)
        assert refusal.value.code == "organisation.consent_required"


async def test_register_makes_the_person_its_active_owner(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner = await _person(store, OWNER_ID)
        organisation = await organisations.register(store, owner, ANSWERS, TODAY)
        await store.commit()

    async with session_factory() as session:
        store = Store(session)
        saved = await store.organisations.get_by_bin(BIN)
        assert saved.name == ANSWERS["name"]
        assert saved.areas == ("children_and_youth", "education")
        assert saved.public_listing is True
        owner = await store.people.get(OWNER_ID)
        assert owner.active_organisation_id == organisation.id
        assert await store.memberships.role_of(organisation.id, owner.id) == MemberRole.OWNER
        page = await store.organisations.directory(
            query="қамқор", region=None, area=None, offset=0, limit=10
        )
        assert [o.id for o in page.items] == [organisation.id]


async def test_a_bin_is_registered_only_once(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner = await _person(store, OWNER_ID)
        stranger = await _person(store, STRANGER_ID)
        await organisations.register(store, owner, ANSWERS, TODAY)
        with pytest.raises(OrganisationError) as refusal:
            await organisations.register(store, stranger, {**ANSWERS, "name": "Copy"}, TODAY)
        assert refusal.value.code == "organisation.bin_taken"
        assert refusal.value.params == {"name": ANSWERS["name"]}
        assert await store.organisations.count() == 1
        assert (await organisations.find_by_bin(store, BIN)).name == ANSWERS["name"]


async def test_register_checks_every_answer_again(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner = await _person(store, OWNER_ID)
        with pytest.raises(InvalidChoice):
            await organisations.register(store, owner, {**ANSWERS, "region": "mars"}, TODAY)
        with pytest.raises(KeyError):
            await organisations.register(store, owner, {**ANSWERS, "phone": None}, TODAY)
        assert await store.organisations.count() == 0


async def test_members_edit_fields_and_strangers_cannot(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner = await _person(store, OWNER_ID)
        stranger = await _person(store, STRANGER_ID)
        organisation = await organisations.register(store, owner, ANSWERS, TODAY)

        updated = await organisations.update_field(
            store, owner, organisation.id, "name_alt", "Kamkor Public Association", TODAY
        )
        assert updated.name_alt == "Kamkor Public Association"
        updated = await organisations.update_field(
            store, owner, organisation.id, "areas", ["health"], TODAY
        )
        assert updated.areas == ("health",)
        page = await store.organisations.directory(
            query="kamkor public", region=None, area="health", offset=0, limit=10
        )
        assert page.total == 1

        with pytest.raises(StaffError) as refusal:
            await organisations.update_field(
                store, stranger, organisation.id, "name", "Hijacked", TODAY
            )
        assert refusal.value.code == "staff.not_a_member"
        with pytest.raises(OrganisationError):
            await organisations.update_field(store, owner, organisation.id, "bin", OTHER_BIN, TODAY)
        with pytest.raises(RuleViolation):
            await organisations.update_field(
                store, owner, organisation.id, "founded_year", "1900", TODAY
            )
        assert (await store.organisations.get(organisation.id)).name == ANSWERS["name"]
