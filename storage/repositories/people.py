"""People who use the bot, and their roles."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.models import (
    AuditEntry,
    AwardApplication,
    AwardRound,
    Broadcast,
    Decision,
    DeliveryOptOut,
    ExpertAssignment,
    ExpertConflict,
    FsmRecord,
    JoinRequest,
    Membership,
    MembershipHistory,
    Person,
    RegistrationDraft,
    RevivalRequest,
    Role,
    RoleGrant,
    Score,
    SupportMessage,
    SupportRelay,
    SupportThread,
)
from storage.repositories.support import ANSWER
from storage.results import rows_affected
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    telegram_id: int
    locale: str | None
    roles: frozenset[Role]
    consent_version: str | None
    consented_at: datetime | None
    blocked_bot: bool
    full_name: str | None = None
    username: str | None = None
    active_organisation_id: int | None = None

    @property
    def consented(self) -> bool:
        return self.consented_at is not None


def _holds_person(key: str, data: str | None, telegram_id: int) -> bool:
    if {str(telegram_id), f"<{telegram_id}>"} & set(key.split(":")):
        return True
    try:
        stored = json.loads(data) if data else {}
    except ValueError:
        return False
    access = stored.get("access_settings") if isinstance(stored, dict) else None
    return isinstance(access, dict) and telegram_id in (access.get("user_ids") or [])


def _view(person: Person) -> PersonView:
    return PersonView(
        id=person.id,
        telegram_id=person.telegram_id,
        locale=person.locale,
        roles=frozenset(grant.role for grant in person.roles),
        consent_version=person.consent_version,
        consented_at=person.consented_at,
        blocked_bot=person.blocked_bot_at is not None,
        full_name=person.full_name,
        username=person.username,
        active_organisation_id=person.active_organisation_id,
    )


class PeopleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _get(self, telegram_id: int) -> Person | None:
        # Every update looks its sender up: the roles come in the same statement
        # (the relationship's own selectin loading would send a second one).
        result = await self._session.execute(
            select(Person)
            .options(joinedload(Person.roles))
            .where(Person.telegram_id == telegram_id)
        )
        return result.unique().scalar_one_or_none()

    async def get(self, telegram_id: int) -> PersonView | None:
        person = await self._get(telegram_id)
        return _view(person) if person else None

    async def add(self, telegram_id: int, locale: str | None = None) -> PersonView:
        person = Person(telegram_id=telegram_id, locale=locale, roles=[])
        self._session.add(person)
        await self._session.flush()
        return _view(person)

    async def set_locale(self, telegram_id: int, locale: str) -> None:
        await self._session.execute(
            update(Person)
            .where(Person.telegram_id == telegram_id)
            .values(locale=locale, updated_at=utcnow())
        )

    async def mark_blocked(self, telegram_id: int, blocked: bool) -> None:
        await self._session.execute(
            update(Person)
            .where(Person.telegram_id == telegram_id)
            .values(blocked_bot_at=utcnow() if blocked else None, updated_at=utcnow())
        )

    async def grant_role(self, telegram_id: int, role: Role, granted_by: int | None) -> bool:
        """Give a role; returns False when the person already had it."""
        person = await self._get(telegram_id)
        if person is None:
            person = Person(telegram_id=telegram_id, roles=[])
            self._session.add(person)
            await self._session.flush()
        if any(grant.role == role for grant in person.roles):
            return False
        person.roles.append(RoleGrant(role=role, granted_by=granted_by))
        await self._session.flush()
        return True

    async def revoke_role(self, telegram_id: int, role: Role) -> bool:
        person = await self._get(telegram_id)
        if person is None:
            return False
        result = await self._session.execute(
            delete(RoleGrant).where(RoleGrant.person_id == person.id, RoleGrant.role == role)
        )
        await self._session.refresh(person, ["roles"])
        return bool(rows_affected(result))

    async def record_consent(
        self,
        telegram_id: int,
        *,
        version: str,
        when: datetime,
        full_name: str | None,
        username: str | None,
    ) -> None:
        await self._session.execute(
            update(Person)
            .where(Person.telegram_id == telegram_id)
            .values(
                consent_version=version,
                consented_at=when,
                full_name=full_name,
                username=username,
                updated_at=utcnow(),
            )
        )

    async def set_active_organisation(self, telegram_id: int, organisation_id: int | None) -> None:
        await self._session.execute(
            update(Person)
            .where(Person.telegram_id == telegram_id)
            .values(active_organisation_id=organisation_id, updated_at=utcnow())
        )

    async def notifies_new_topics(self, telegram_id: int) -> bool:
        return bool(
            await self._session.scalar(
                select(Person.notify_new_topics).where(Person.telegram_id == telegram_id)
            )
        )

    async def set_notify_new_topics(self, telegram_id: int, enabled: bool) -> None:
        await self._session.execute(
            update(Person)
            .where(Person.telegram_id == telegram_id)
            .values(notify_new_topics=enabled, updated_at=utcnow())
        )

    async def erase(self, telegram_id: int, when: datetime) -> bool:
        """Delete the person and everything tied to them alone (memberships, requests,
        roles, dialog state). Records of their organisations stay; references to them
        elsewhere (who decided, who created an invite) become empty.

        Someone whose work others rely on (an expert's scores, an operator's decisions,
        the audit log) keeps a pseudonymous row instead: no name, no username, and
        -id where their Telegram id was, here and wherever it was recorded."""
        person = await self._get(telegram_id)
        if person is None:
            return False
        keep = await self._has_staff_records(person.id, telegram_id)
        await self._session.execute(delete(Membership).where(Membership.person_id == person.id))
        await self._session.execute(
            delete(MembershipHistory).where(MembershipHistory.person_id == person.id)
        )
        await self._session.execute(delete(JoinRequest).where(JoinRequest.person_id == person.id))
        await self._session.execute(
            delete(RevivalRequest).where(RevivalRequest.person_id == person.id)
        )
        await self._session.execute(
            delete(RegistrationDraft).where(RegistrationDraft.person_id == person.id)
        )
        await self._erase_dialog_state(telegram_id)
        if not keep:
            await self._session.execute(
                update(RoleGrant).where(RoleGrant.granted_by == telegram_id).values(granted_by=None)
            )
            await self._session.delete(person)
            await self._session.flush()
            return True
        await self._pseudonymise(person, telegram_id, when)
        return True

    async def keeps_pseudonym(self, telegram_id: int) -> bool:
        """Whether erasing them keeps a pseudonymous row (see `erase`)."""
        person = await self._get(telegram_id)
        return person is not None and await self._has_staff_records(person.id, telegram_id)

    async def _has_staff_records(self, person_id: int, telegram_id: int) -> bool:
        checks = (
            exists().where(RoleGrant.person_id == person_id),
            exists().where(AuditEntry.actor == telegram_id),
            exists().where(
                AuditEntry.object_type == "person", AuditEntry.object_id == str(telegram_id)
            ),
            exists().where(Score.expert_id == person_id),
            exists().where(ExpertAssignment.expert_id == person_id),
            exists().where(ExpertConflict.expert_id == person_id),
            exists().where(Decision.decided_by == telegram_id),
            exists().where(Broadcast.created_by == telegram_id),
            exists().where(AwardRound.created_by == person_id),
            exists().where(AwardApplication.decided_by == person_id),
            exists().where(
                SupportMessage.author_id == person_id, SupportMessage.direction == ANSWER
            ),
        )
        return any([await self._session.scalar(select(check)) for check in checks])

    async def _pseudonymise(self, person: Person, telegram_id: int, when: datetime) -> None:
        pseudonym = -person.id
        for column in (
            AuditEntry.actor,
            Decision.decided_by,
            ExpertAssignment.assigned_by,
            RoleGrant.granted_by,
            Broadcast.created_by,
            RevivalRequest.decided_by,
        ):
            await self._session.execute(
                update(column.class_)
                .where(column == telegram_id)
                .values({column.key: pseudonym})
                .execution_options(synchronize_session=False)
            )
        await self._session.execute(
            update(AuditEntry)
            .where(AuditEntry.object_type == "person", AuditEntry.object_id == str(telegram_id))
            .values(object_id=str(pseudonym))
        )
        await self._session.execute(
            update(Broadcast)
            .where(Broadcast.progress_chat_id == telegram_id)
            .values(progress_chat_id=None, progress_message_id=None)
        )
        # Where questions were shown in their private chat: that chat id is theirs.
        await self._session.execute(delete(SupportRelay).where(SupportRelay.chat_id == telegram_id))
        await self._session.execute(
            delete(DeliveryOptOut).where(DeliveryOptOut.person_id == person.id)
        )
        # Their own questions go with them (the answers in them too, by cascade).
        await self._session.execute(
            delete(SupportThread).where(SupportThread.person_id == person.id)
        )
        await self._session.execute(delete(RoleGrant).where(RoleGrant.person_id == person.id))
        await self._session.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(
                telegram_id=pseudonym,
                locale=None,
                consent_version=None,
                consented_at=None,
                blocked_bot_at=None,
                full_name=None,
                username=None,
                active_organisation_id=None,
                notify_new_topics=False,
                erased_at=when,
                updated_at=when,
            )
            .execution_options(synchronize_session=False)
        )
        self._session.expunge(person)
        await self._session.flush()

    async def _erase_dialog_state(self, telegram_id: int) -> None:
        """aiogram keys are fsm:<chat>[:<thread>]:<user>:<destiny>:<part>; aiogram-dialog
        puts the chat id in the user slot, names a group stack "<user>", and lists the
        user in a context's access settings."""
        marker = str(telegram_id)
        rows = await self._session.execute(
            select(FsmRecord.key, FsmRecord.data).where(
                or_(FsmRecord.key.contains(marker), FsmRecord.data.contains(marker))
            )
        )
        doomed = [key for key, data in rows if _holds_person(key, data, telegram_id)]
        if doomed:
            await self._session.execute(delete(FsmRecord).where(FsmRecord.key.in_(doomed)))

    async def all_telegram_ids_with_role(self, role: Role) -> list[int]:
        rows = await self._session.scalars(
            select(Person.telegram_id).join(RoleGrant).where(RoleGrant.role == role)
        )
        return list(rows)
