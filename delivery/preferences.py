"""What a person chose in /settings. New-topic alerts are opt-in (people.notify_new_topics);
reminders and announcements are on until turned off (a delivery_opt_outs row)."""

from __future__ import annotations

from sqlalchemy import select, update

from delivery.outbox import Category
from storage.models import Person
from storage.repositories.people import PersonView
from storage.store import Store


async def preferences(store: Store, person: PersonView) -> dict[Category, bool]:
    opted_out = await store.deliveries.opted_out(person.id)
    subscribed = await store.session.scalar(
        select(Person.notify_new_topics).where(Person.id == person.id)
    )
    return {
        Category.REMINDERS: Category.REMINDERS not in opted_out,
        Category.ANNOUNCEMENTS: Category.ANNOUNCEMENTS not in opted_out,
        Category.NEW_TOPICS: bool(subscribed),
    }


async def switch(store: Store, person: PersonView, category: Category, *, on: bool) -> None:
    """Turn one category on or off. Unlike a toggle, doing it twice (an update handled
    again after a crash) leaves it as asked."""
    if category == Category.NEW_TOPICS:
        await store.session.execute(
            update(Person).where(Person.id == person.id).values(notify_new_topics=on)
        )
    else:
        await store.deliveries.set_opt_out(person.id, category, not on)
