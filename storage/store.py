"""One holder of the repositories on one session; the only place that commits.

Every repository is reached through a Store (tests of a repository itself may
build it directly).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.activity_reports import ActivityReportRepository
from storage.repositories.applications import ApplicationRepository
from storage.repositories.audit import AuditRepository
from storage.repositories.awards import AwardRepository
from storage.repositories.broadcasts import BroadcastRepository
from storage.repositories.console import ConsoleRepository
from storage.repositories.dead_letters import DeadLetterRepository
from storage.repositories.deliveries import AudienceRepository, DeliveryRepository
from storage.repositories.early_closings import EarlyClosingRepository
from storage.repositories.memberships import MembershipRepository
from storage.repositories.organisations import OrganisationRepository
from storage.repositories.people import PeopleRepository
from storage.repositories.registration_drafts import RegistrationDraftRepository
from storage.repositories.support import SupportRepository
from storage.repositories.topics import TopicRepository
from storage.repositories.updates import UpdateClaims


class Store:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.people = PeopleRepository(session)
        self.organisations = OrganisationRepository(session)
        self.memberships = MembershipRepository(session)
        self.activity_reports = ActivityReportRepository(session)
        self.topics = TopicRepository(session)
        self.applications = ApplicationRepository(session)
        self.console = ConsoleRepository(session)
        self.audit = AuditRepository(session)
        self.dead_letters = DeadLetterRepository(session)
        self.awards = AwardRepository(session)
        self.registration_drafts = RegistrationDraftRepository(session)
        self.support = SupportRepository(session)
        self.deliveries = DeliveryRepository(session)
        self.audience = AudienceRepository(session)
        self.broadcasts = BroadcastRepository(session)
        self.update_claims = UpdateClaims(session)
        self.early_closings = EarlyClosingRepository(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
