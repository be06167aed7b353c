"""Slack's file upload in three steps, as ``files_upload_v2`` makes it (``files.upload`` is retired).

1. ``files.getUploadURLExternal`` (filename, length) answers an ``upload_url`` and a ``file_id``;
2. the client POSTs the raw bytes to that URL (served here too);
3. ``files.completeUploadExternal`` names the files (``[{id, title}]``) and shares them into a
   conversation (``channel_id``, with an optional ``initial_comment`` and ``thread_ts``) or none.
"""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.standin.chat import Chat
from bot.standin.errors import SlackError
from bot.standin.ids import BOT_USER_ID, TEAM_DOMAIN, TEAM_ID
from bot.standin.workspace import Workspace

Args = dict[str, Any]
Answer = dict[str, Any]


@dataclass
class StoredFile:
    """One file as the stand-in holds it: what was announced, the bytes received, where it was shared."""

    id: str
    filename: str
    length: int
    content: bytes | None = None  # None until the bytes are POSTed to the upload URL
    title: str | None = None
    channels: list[str] = field(default_factory=list)  # conversations it was shared into
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False

    @property
    def channel(self) -> str | None:
        return self.channels[0] if self.channels else None

    def info(self) -> dict[str, Any]:
        """The file object Slack answers with."""
        mimetype = mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        return {
            "id": self.id, "created": 1_700_000_000, "timestamp": 1_700_000_000,
            "name": self.filename, "title": self.title or self.filename, "mimetype": mimetype,
            "filetype": self.filename.rpartition(".")[2] if "." in self.filename else "binary",
            "user": BOT_USER_ID, "user_team": TEAM_ID, "size": self.length,
            "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{self.id}/{self.filename}",
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{self.id}/{self.filename}",
            "channels": list(self.channels),
        }  # fmt: skip


class Files:
    def __init__(self, workspace: Workspace, chat: Chat, upload_root: Callable[[], str]) -> None:
        self.workspace = workspace
        self.chat = chat
        self.upload_root = upload_root  # "http://127.0.0.1:<port>/upload/", known once started
        self.files: dict[str, StoredFile] = {}
        # Files people posted (a Slack Connect customer's arrive in events as stubs): id -> full object.
        self.posted: dict[str, dict[str, Any]] = {}

    def handlers(self) -> dict[str, Callable[[Args], Answer]]:
        return {
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete,
            "files.info": self._info,
        }

    def reset(self) -> None:
        self.files.clear()
        self.posted.clear()

    def add_posted(self, file: dict[str, Any]) -> None:
        """A file a person posted, as files.info will answer it."""
        self.posted[str(file["id"])] = file

    def _info(self, args: Args) -> Answer:
        file_id = str(args.get("file") or "")
        if file_id in self.posted:
            return {"file": self.posted[file_id], "comments": [], "response_metadata": {"next_cursor": ""}}
        stored = self.files.get(file_id)
        if stored is None or not stored.completed:
            raise SlackError("file_not_found")
        return {"file": stored.info(), "comments": [], "response_metadata": {"next_cursor": ""}}

    def _get_upload_url(self, args: Args) -> Answer:
        filename = str(args.get("filename") or "")
        try:
            length = int(args.get("length") or "")
        except ValueError:
            length = -1
        if not filename or length < 0:
            raise SlackError("invalid_arguments", ["[ERROR] filename and length are required"])
        file_id = "F" + secrets.token_hex(5).upper()
        self.files[file_id] = StoredFile(file_id, filename, length)
        return {"upload_url": f"{self.upload_root()}{file_id}", "file_id": file_id}

    def receive(self, file_id: str, content: bytes) -> tuple[int, str]:
        """Step 2: the bytes, POSTed as they are. Answers (status, plain text) like files.slack.com."""
        stored = self.files.get(file_id)
        if stored is None or stored.completed:
            return 404, "Not Found"
        if len(content) != stored.length:
            return 400, f"length mismatch: announced {stored.length}, received {len(content)}"
        stored.content = content
        return 200, f"OK - {len(content)}"

    def _complete(self, args: Args) -> Answer:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments", ["[ERROR] files must be a JSON list of {id, title}"])
        chosen: list[tuple[StoredFile, Any]] = []
        for entry in entries:
            stored = self.files.get(str(entry.get("id"))) if isinstance(entry, dict) else None
            if stored is None or stored.content is None or stored.completed:
                raise SlackError("file_not_found")
            chosen.append((stored, entry.get("title")))
        targets = [str(args["channel_id"])] if args.get("channel_id") else []
        targets += [c.strip() for c in str(args.get("channels") or "").split(",") if c.strip()]
        conversations = [self.workspace.postable(t) for t in dict.fromkeys(targets)]  # all checked first
        comment = args.get("initial_comment") or None
        thread_ts = args.get("thread_ts") or None
        for stored, title in chosen:
            stored.title = str(title) if title else stored.filename
            stored.completed = True
            stored.initial_comment, stored.thread_ts = comment, thread_ts
            stored.channels = [c.id for c in conversations]
        for conversation in conversations:
            files = [stored.info() for stored, _ in chosen]
            message = {"text": comment or "", "files": files, "thread_ts": thread_ts}
            self.chat.post_as_bot(conversation.id, message)
        return {"files": [stored.info() for stored, _ in chosen]}
