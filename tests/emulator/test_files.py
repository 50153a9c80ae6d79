"""Uploads, re-sends by file_id, getFile and the download route."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile

USER = 1001
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x08\x08\x02\x00\x00\x00"


async def test_multipart_document_roundtrip(bot, started_user):
    content = "Бюджет 2025".encode() * 100
    sent = await bot.send_document(
        USER,
        BufferedInputFile(content, filename="budget.pdf"),
        caption="<b>Budget</b>",
        parse_mode="HTML",
    )
    assert sent.document.file_name == "budget.pdf" and sent.document.file_size == len(content)
    assert sent.caption == "Budget" and sent.caption_entities[0].type == "bold"
    file = await bot.get_file(sent.document.file_id)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded.read() == content
    again = await bot.send_document(USER, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id
    visible = started_user.last_message()
    assert visible.document["file_name"] == "budget.pdf"


async def test_photo_sizes_and_bad_file_ids(bot, started_user):
    sent = await bot.send_photo(USER, BufferedInputFile(PNG, filename="p.png"), caption="pic")
    assert (sent.photo[0].width, sent.photo[0].height) == (16, 8)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(USER, "no-such-file-id")


async def test_user_uploads_are_downloadable_by_the_bot(bot, emu):
    user = emu.user(USER, "Aigerim")
    await user.send_document(file_name="charter.pdf", content=b"%PDF-1.7 charter", wait=False)
    update = (await bot.get_updates())[0]
    file = await bot.get_file(update.message.document.file_id)
    assert (await bot.download_file(file.file_path)).read() == b"%PDF-1.7 charter"
