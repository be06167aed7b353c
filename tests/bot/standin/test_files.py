"""Uploads as slack_sdk's files_upload_v2 makes them: upload URL, the bytes, then the share."""

from __future__ import annotations

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.standin import SlackStandIn
from tests.bot.standin.helpers import error_of, slack_error


async def test_files_upload_v2_into_a_channel(standin: SlackStandIn, client: AsyncWebClient) -> None:
    resp = await client.files_upload_v2(
        channel="C0SUPPORT",
        content="line 1\nline 2\n",
        filename="app.log",
        title="App log",
        initial_comment="see",
    )
    file_id = resp["file"]["id"]
    stored = standin.files[file_id]
    assert (
        stored.content == b"line 1\nline 2\n" and stored.filename == "app.log" and stored.title == "App log"
    )
    assert stored.channel == "C0SUPPORT" and stored.initial_comment == "see" and stored.completed
    assert standin.methods() == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    assert standin.calls[0].args["length"] == str(len(b"line 1\nline 2\n"))
    (shared,) = standin.messages_in("C0SUPPORT")
    assert shared["text"] == "see" and shared["files"][0]["id"] == file_id
    assert shared["files"][0]["title"] == "App log" and shared["user"] == "U0BOT"


async def test_binary_files_into_a_dm_and_a_thread(standin: SlackStandIn, client: AsyncWebClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    resp = await client.files_upload_v2(channel="U0KEY1", content=png, filename="shot.png")
    stored = standin.files[resp["file"]["id"]]
    assert stored.content == png and stored.channel == "D0KEY1" and stored.title == "shot.png"
    assert standin.messages_in("U0KEY1")[0]["files"][0]["mimetype"] == "image/png"
    root = (await client.chat_postMessage(channel="C0SUPPORT", text="ticket"))["ts"]
    await client.files_upload_v2(channel="C0SUPPORT", content="x", filename="x.txt", thread_ts=root)
    assert [m.get("files", [{}])[0].get("name") for m in standin.replies("C0SUPPORT", root)] == ["x.txt"]


async def test_a_file_is_shared_only_where_the_app_may_post(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    assert await error_of(client.files_upload_v2(channel="C0GENERAL", content="x", filename="a.txt")) == (
        "not_in_channel"
    )
    assert await error_of(client.files_upload_v2(channel="C0NOPE", content="x", filename="a.txt")) == (
        "channel_not_found"
    )
    assert (
        await error_of(client.files_upload_v2(channel="C0OLD", content="x", filename="a.txt"))
        == "is_archived"
    )
    assert standin.messages == {} and not any(f.completed for f in standin.files.values())
    private = await client.files_upload_v2(content="kept private", filename="notes.txt")  # shared nowhere
    assert standin.files[private["file"]["id"]].channels == [] and standin.messages == {}


async def test_files_need_the_files_write_scope(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.scopes = standin.scopes - {"files:write"}
    error = await slack_error(client.files_upload_v2(channel="C0SUPPORT", content="x", filename="a.txt"))
    assert error.response["error"] == "missing_scope" and error.response["needed"] == "files:write"
    assert standin.files == {}


async def test_the_upload_step_checks_what_it_receives(standin: SlackStandIn, client: AsyncWebClient) -> None:
    answer = await client.files_getUploadURLExternal(filename="a.txt", length=5)
    url, file_id = answer["upload_url"], answer["file_id"]
    assert url.startswith(standin.root_url)
    assert await error_of(client.files_completeUploadExternal(files=[{"id": file_id}])) == "file_not_found"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=b"too long") as r:
            assert r.status == 400
        async with session.post(standin.root_url + "upload/F0NOPE", data=b"12345") as r:
            assert r.status == 404
        async with session.post(url, data=b"12345") as r:
            assert r.status == 200 and await r.text() == "OK - 5"
    done = await client.files_completeUploadExternal(
        files=[{"id": file_id, "title": "A"}], channel_id="C0SUPPORT"
    )
    assert done["files"][0]["title"] == "A" and standin.files[file_id].content == b"12345"
    again = client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="C0SUPPORT")
    assert await error_of(again) == "file_not_found"


async def test_file_shares_count_as_messages_for_rate_limits(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    for n in range(4):
        await client.chat_postMessage(channel="C0SUPPORT", text=str(n))
    error = await slack_error(client.files_upload_v2(channel="C0SUPPORT", content="x", filename="a.txt"))
    assert error.response.status_code == 429 and error.response.headers["Retry-After"] == "1"
    assert (await client.files_upload_v2(channel="U0KEY1", content="x", filename="a.txt"))["ok"]
