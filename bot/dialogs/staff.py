"""The Staff dialog: members, join requests and invite links of one organisation.

Started from the organisation card with {"organisation_id": id}; every action asks
registry.staff, which checks on the server that the presser is an owner. Also the
join step of an invite link, started with {"token": ...} when consent is missing.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram_dialog import Data, Dialog, DialogManager, ShowMode, StartMode, SubManager, Window
from aiogram_dialog.widgets.kbd import (
    Button,
    Cancel,
    Column,
    ListGroup,
    Row,
    Select,
    Start,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import Label, Tr, fit_list, refuse, texts_of, toast
from bot.dialogs.context import ctx
from bot.dialogs.narrowing import start_value
from bot.dialogs.start_data import INVITE_TOKEN, ORGANISATION_ID
from bot.dialogs.states import Consent, MainMenu, Staff
from bot.events import button_message
from bot.joining import decide_and_tell, join_by_invite
from bot.leaving import ask_to_leave
from domain.text_input import plain_id
from registry import staff
from registry.staff import StaffError, display_name

MEMBER_KEY = "member_id"
LINK_KEY = "link"
LINK_EXPIRES_KEY = "link_expires"
MEMBER_SELECT = "member"
INVITE_SELECT = "revoke"
REQUESTS_GROUP = "requests"


async def staff_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    t = texts_of(dialog_manager)
    person = ctx(dialog_manager).person
    organisation_id = start_value(dialog_manager, ORGANISATION_ID)
    try:
        overview = await staff.staff_overview(
            ctx(dialog_manager).store,
            person,
            organisation_id,
            ctx(dialog_manager).clock.now(),
        )
    except StaffError as error:
        return {"forbidden": True, "problem": t(error.code), "is_owner": False}
    lines, others = [], []
    for member in overview.members:
        name = display_name(member.full_name, member.username)
        role = t.label(f"staff.role.{member.role.value}")
        joined = ctx(dialog_manager).date(member.joined_at)
        lines.append(t.label("staff.member_line", name=name, role=role, joined=joined))
        if member.person_id != person.id:
            others.append({"id": member.person_id, "name": name, "role": role, "joined": joined})
    chosen = next((m for m in others if m["id"] == dialog_manager.dialog_data.get(MEMBER_KEY)), {})
    invites = [
        {
            "id": invite.id,
            "label": t.label(
                "staff.revoke_button",
                expires=ctx(dialog_manager).date_time(invite.expires_at),
            ),
        }
        for invite in overview.open_invites
    ]
    requests = [
        {"id": r.id, "name": display_name(r.full_name, None)} for r in overview.pending_requests
    ]
    return {
        "forbidden": False,
        "is_owner": overview.viewer_is_owner,
        "organisation": overview.organisation_name,
        "members_text": fit_list(t, lines),
        "others": others,
        # Flat strings, so Tr escapes them (it escapes str values, not dicts).
        "member_name": chosen.get("name", ""),
        "member_role": chosen.get("role", ""),
        "member_joined": chosen.get("joined", ""),
        "invites": invites,
        "requests": requests,
        "request_count": len(requests),
        "has_requests": bool(requests),
        "link": dialog_manager.dialog_data.get(LINK_KEY),
        "link_expires": dialog_manager.dialog_data.get(LINK_EXPIRES_KEY),
    }


async def on_member_chosen(callback: CallbackQuery, _w, manager: DialogManager, item: int) -> None:
    if plain_id(item) is None:
        return
    manager.dialog_data[MEMBER_KEY] = plain_id(item)
    await manager.switch_to(Staff.member)


async def _member_action(callback: CallbackQuery, manager: DialogManager, action, done_key: str):
    c = ctx(manager)
    try:
        await action(
            c.store,
            c.person,
            start_value(manager, ORGANISATION_ID),
            manager.dialog_data.get(MEMBER_KEY, 0),
        )
    except StaffError as error:
        await refuse(callback, c.t(error.code), roll_back=c.store)
        await manager.switch_to(Staff.members)
        return
    await c.store.commit()
    await toast(callback, c.t(done_key))
    await manager.switch_to(Staff.members)


async def on_leave(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Asked in a message of its own: the answer changes who the dialog is for."""
    c = ctx(manager)
    try:
        departure = await staff.departure(c.store, c.person, start_value(manager, ORGANISATION_ID))
    except StaffError as error:
        await refuse(callback, c.t(error.code), roll_back=c.store)
        return
    # The question comes below the staff list, which stays as it is.
    manager.show_mode = ShowMode.NO_UPDATE
    await ask_to_leave(button_message(callback), texts_of(manager), departure)


async def on_transfer(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _member_action(callback, manager, staff.transfer_ownership, "staff.transferred")


async def on_remove(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _member_action(callback, manager, staff.remove_member, "staff.removed")


async def on_create_invite(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    c = ctx(manager)
    try:
        invite = await staff.create_invite(
            c.store, c.person, start_value(manager, ORGANISATION_ID), c.clock.now()
        )
    except StaffError as error:
        await refuse(callback, c.t(error.code), roll_back=c.store)
        return
    await c.store.commit()
    me = await c.bot.me()
    manager.dialog_data[LINK_KEY] = (
        f"https://t.me/{me.username}?start={staff.invite_payload(invite)}"
    )
    manager.dialog_data[LINK_EXPIRES_KEY] = c.date_time(invite.expires_at)


async def on_revoke(callback: CallbackQuery, _w, manager: DialogManager, item: str) -> None:
    c = ctx(manager)
    try:
        revoked = await staff.revoke_invite(
            c.store,
            c.person,
            start_value(manager, ORGANISATION_ID),
            plain_id(item) or 0,
            c.clock.now(),
        )
    except StaffError as error:
        await refuse(callback, c.t(error.code), roll_back=c.store)
        return
    await c.store.commit()
    manager.dialog_data.pop(LINK_KEY, None)
    await toast(callback, texts_of(manager)("staff.revoked" if revoked else "staff.invite_used"))


async def _decide(callback: CallbackQuery, manager: DialogManager, approve: bool) -> None:
    c = ctx(manager)
    try:
        await decide_and_tell(
            c.store,
            c.person,
            plain_id(manager.item_id if isinstance(manager, SubManager) else None) or 0,
            approve,
            clock=c.clock,
        )
    except StaffError as error:
        await refuse(callback, c.t(error.code), roll_back=c.store)
        return
    await toast(callback, c.t("staff.approved" if approve else "staff.declined"))


async def on_approve(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _decide(callback, manager, approve=True)


async def on_decline(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _decide(callback, manager, approve=False)


async def join_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    token = start_value(dialog_manager, INVITE_TOKEN)
    try:
        found = await staff.peek_invite(c.store, token, c.clock.now())
    except StaffError as error:
        return {
            "organisation": "",
            "problem": texts_of(dialog_manager)(error.code),
            "usable": False,
        }
    return {"organisation": found.organisation_name, "problem": "", "usable": True}


async def on_consent_result(_start_data: Data, result: Any, manager: DialogManager) -> None:
    """Back from Consent.ask on the join step: join if they agreed."""
    if manager.current_context().state != Staff.join:
        return
    c, t = ctx(manager), texts_of(manager)
    if not (isinstance(result, dict) and result.get("consented")):
        await c.bot.send_message(c.chat_id, t("staff.join_needs_consent"))
        await manager.done()
        return
    # Consent was just given: the person as stored now, not as this update began.
    person = await c.store.people.get(c.person.telegram_id) or c.person
    try:
        await join_by_invite(
            c.store,
            person,
            start_value(manager, INVITE_TOKEN),
            clock=c.clock,
            bot=c.bot,
            t=t,
        )
    except StaffError as error:
        await c.store.rollback()
        await c.bot.send_message(c.chat_id, t(error.code))
    manager.show_mode = ShowMode.SEND
    await manager.start(MainMenu.main, mode=StartMode.RESET_STACK)


def _refusals() -> tuple[Tr, Tr]:
    """What a window for owners says to anyone else who reaches it: a stale button or a
    forged callback still gets a text (Telegram refuses an empty one)."""
    return (
        Tr("staff.not_a_member_here", when="forbidden"),
        Tr("staff.not_the_owner", when=~F["forbidden"] & ~F["is_owner"]),
    )


def staff_dialog() -> Dialog:
    is_owner = F["is_owner"]
    back = SwitchTo(Label("common.back"), id="back", state=Staff.members)
    return Dialog(
        Window(
            Tr("staff.not_a_member_here", when="forbidden"),
            Tr("staff.members", when=~F["forbidden"]),
            Tr("staff.read_only", when=~F["forbidden"] & ~is_owner),
            Column(
                Select(
                    Format("{item[name]} · {item[role]}"),
                    id=MEMBER_SELECT,
                    item_id_getter=lambda m: m["id"],
                    items="others",
                    type_factory=int,
                    on_click=on_member_chosen,
                ),
                when=is_owner,
            ),
            SwitchTo(
                Label("staff.requests_button"),
                id="to_requests",
                state=Staff.requests,
                when="has_requests",
            ),
            SwitchTo(
                Label("staff.invites_button"), id="to_invites", state=Staff.invites, when=is_owner
            ),
            Button(
                Label("erasure.leave_button"), id="leave", on_click=on_leave, when=~F["forbidden"]
            ),
            Cancel(Label("common.back")),
            state=Staff.members,
            getter=staff_getter,
        ),
        Window(
            *_refusals(),
            Tr("staff.member_card", when=is_owner),
            SwitchTo(
                Label("staff.make_owner"),
                id="to_transfer",
                state=Staff.confirm_transfer,
                when=is_owner,
            ),
            SwitchTo(
                Label("staff.remove"), id="to_remove", state=Staff.confirm_remove, when=is_owner
            ),
            back,
            state=Staff.member,
            getter=staff_getter,
        ),
        Window(
            *_refusals(),
            Tr("staff.confirm_transfer", when=is_owner),
            Row(
                Button(Label("common.yes"), id="transfer", on_click=on_transfer),
                SwitchTo(Label("common.no"), id="keep", state=Staff.member),
                when=is_owner,
            ),
            state=Staff.confirm_transfer,
            getter=staff_getter,
        ),
        Window(
            *_refusals(),
            Tr("staff.confirm_remove", when=is_owner),
            Row(
                Button(Label("common.yes"), id="remove", on_click=on_remove),
                SwitchTo(Label("common.no"), id="keep", state=Staff.member),
                when=is_owner,
            ),
            state=Staff.confirm_remove,
            getter=staff_getter,
        ),
        Window(
            *_refusals(),
            Tr("staff.invites", when=is_owner),
            Tr("staff.invite_created", when=F["link"] & is_owner),
            Button(
                Label("staff.create_invite"),
                id="create_invite",
                on_click=on_create_invite,
                when=is_owner,
            ),
            Column(
                Select(
                    Format("{item[label]}"),
                    id=INVITE_SELECT,
                    item_id_getter=lambda i: i["id"],
                    items="invites",
                    on_click=on_revoke,
                ),
                when=is_owner,
            ),
            back,
            state=Staff.invites,
            getter=staff_getter,
        ),
        Window(
            *_refusals(),
            Tr("staff.requests", when=is_owner),
            ListGroup(
                Row(
                    Button(Format("✅ {item[name]}"), id="approve", on_click=on_approve),
                    Button(Format("❌ {item[name]}"), id="decline", on_click=on_decline),
                ),
                id=REQUESTS_GROUP,
                item_id_getter=lambda r: r["id"],
                items="requests",
                when=is_owner,
            ),
            back,
            state=Staff.requests,
            getter=staff_getter,
        ),
        Window(
            Tr("staff.join_consent_first", when="usable"),
            Format("{problem}", when=~F["usable"]),
            Start(Label("staff.join_continue"), id="consent", state=Consent.ask, when="usable"),
            Cancel(Label("common.cancel")),
            state=Staff.join,
            getter=join_getter,
        ),
        on_process_result=on_consent_result,
        name="staff",
    )
