"""What a dead letter keeps of an update, and whom it asks to send it again."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from domain.dead_letters import (
    KEPT_STRING_IDS,
    KEPT_STRINGS,
    MASK,
    Sender,
    error_text,
    private_sender,
    redact,
    update_kind,
)

MESSAGE = {
    "update_id": 7,
    "message": {
        "message_id": 3,
        "date": 1795000000,
        "chat": {"id": 55, "type": "private", "first_name": "Aigerim", "username": "aika"},
        "from": {"id": 55, "is_bot": False, "first_name": "Aigerim", "language_code": "kk-KZ"},
        "text": "Менің телефоным +7 701 555 12 34",
        "contact": {"phone_number": "+77015551234", "first_name": "Dana", "user_id": 56},
        "location": {"latitude": 43.25, "longitude": 76.95},
        "forward_origin": {"type": "hidden_user", "date": 1795000000},
    },
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from([*KEPT_STRINGS, "id", "text", "name", "x"]), children)
    ),
    max_leaves=30,
)


def strings_with_keys(value, key=None):
    if isinstance(value, dict):
        for name, item in value.items():
            yield from strings_with_keys(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from strings_with_keys(item, key)
    elif isinstance(value, str):
        yield key, value


def test_ids_dates_and_types_stay_and_what_people_wrote_goes() -> None:
    kept = redact(MESSAGE)
    message = kept["message"]
    assert kept["update_id"] == 7 and message["message_id"] == 3
    assert message["chat"] == {"id": 55, "type": "private", "first_name": MASK, "username": MASK}
    assert message["from"]["language_code"] == "kk-KZ"
    assert message["forward_origin"] == {"type": "hidden_user", "date": 1795000000}
    assert message["contact"] == {"phone_number": MASK, "first_name": MASK, "user_id": 56}
    assert message["location"] == {"latitude": MASK, "longitude": MASK}
    written = json.dumps(kept, ensure_ascii=False)
    assert not [word for word in ("Aigerim", "aika", "Dana", "701", "43.25") if word in written]


@given(json_values)
def test_only_type_and_identifier_strings_survive(value) -> None:
    for key, text in strings_with_keys(redact(value)):
        assert text == MASK or key in KEPT_STRINGS | KEPT_STRING_IDS


@given(json_values)
def test_the_shape_is_kept(value) -> None:
    def shape(item):
        if isinstance(item, dict):
            return {name: shape(child) for name, child in item.items()}
        if isinstance(item, list):
            return [shape(child) for child in item]
        return None

    assert shape(redact(value)) == shape(value)
    json.dumps(redact(value))


def test_the_kind_is_the_first_key_after_the_id() -> None:
    assert update_kind(MESSAGE) == "message"
    assert update_kind({"update_id": 1}) == "unknown"
    assert update_kind([1, 2]) == "unknown"
    assert update_kind({"update_id": 1, "business_message": {}}) == "business_message"


def test_the_error_names_fields_not_values() -> None:
    errors = [
        {"loc": ("message", "external_reply", "story", i), "msg": "Field required"} for i in "ab"
    ]
    assert error_text(errors) == (
        "message.external_reply.story.a: Field required; "
        "message.external_reply.story.b: Field required"
    )
    many = error_text([{"loc": ("x",), "msg": "bad"}] * 9)
    assert many.endswith("and 4 more") and len(error_text(errors * 500)) <= 500


def test_the_sender_of_a_private_message_or_button_is_asked_again() -> None:
    assert private_sender(MESSAGE) == Sender(55, "kk-KZ")
    button = {
        "update_id": 8,
        "callback_query": {"id": "q", "from": {"id": 9, "language_code": "en"}},
    }
    assert private_sender(button) == Sender(9, "en")
    in_private = {"callback_query": {"from": {"id": 9}, "message": {"chat": {"type": "private"}}}}
    assert private_sender(in_private) == Sender(9, None)


def test_groups_channels_and_odd_shapes_are_told_nothing() -> None:
    group = {"message": {"chat": {"id": -100, "type": "supergroup"}, "from": {"id": 5}}}
    in_group = {"callback_query": {"from": {"id": 9}, "message": {"chat": {"type": "group"}}}}
    for raw in (group, in_group, {"channel_post": {}}, {"message": "x"}, None, [1], {}):
        assert private_sender(raw) is None
    assert private_sender({"message": {"chat": {"id": True, "type": "private"}}}) is None
