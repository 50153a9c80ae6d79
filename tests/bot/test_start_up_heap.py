"""`ngo-bot run` leaves what start-up built out of later garbage collections."""

import gc

from bot.runner import freeze_start_up_heap


def test_freezing_the_start_up_heap_leaves_it_out_of_collections():
    try:
        freeze_start_up_heap()
        assert gc.get_freeze_count() > 10_000  # the frameworks' modules and models
    finally:
        gc.unfreeze()
