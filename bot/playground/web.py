"""The page and its JSON API, served by aiohttp (no other framework, no build step, nothing from a CDN).

    GET  /                      the page (static/index.html); /static/… its scripts and style
    GET  /archives/C…/p…        the page, opened at that message: where the workspace's permalinks lead
    GET  /api/state?persona=U…  what that person sees; `&version=V` answers {"unchanged": true} if still V
    GET  /api/timeline?since=N  the bot's Web API calls from the N-th on
    GET  /api/files/F…          a file the bot shared (charts, CSVs)
    POST /api/command           {persona, text: "/support list", channel}
    POST /api/action            {persona, where: {surface, channel, ts, view_id, state}, action: {...}}
    POST /api/submit            {persona, view_id, values: {block_id: {action_id: {...}}}}
    POST /api/close             {persona, view_id}: Cancel, the x or Escape (view_closed if asked for)
    POST /api/message           {persona, channel, text, thread_ts?}
    POST /api/react             {persona, channel, ts, reaction}: an emoji reaction (🎫 offers a ticket)
    POST /api/home              {persona}: the person opened App Home
    POST /api/mail              {from, subject, text, in_reply_to?}: a customer writes to the support address
    POST /api/clock             {move: "15m" | "1h" | "morning"}
    POST /api/reset             {}

POSTs must be JSON (so another site cannot post a form here); answers are JSON, errors {"error": "…"}.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.playground.gestures import GestureError
from bot.playground.session import PlaygroundSession
from bot.playground.times import ClockError

STATIC = Path(__file__).resolve().parent / "static"
NO_STORE = {"Cache-Control": "no-store"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def playground_app(session: PlaygroundSession) -> web.Application:
    app = web.Application(middlewares=[_errors])

    async def index(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers=NO_STORE)

    async def state(request: web.Request) -> web.Response:
        persona = request.query.get("persona") or session.people[0].id
        current = session.state(persona)
        if request.query.get("version") == current["version"]:
            return _json({"version": current["version"], "unchanged": True, "clock": current["clock"]})
        return _json(current)

    async def timeline(request: web.Request) -> web.Response:
        since = request.query.get("since", "0")
        start = int(since) if since.isdigit() else 0
        return _json({"since": start, "entries": session.tracker.timeline_since(start)})

    async def file(request: web.Request) -> web.StreamResponse:
        found = session.file(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound(text="no such file")
        content, name, mimetype = found
        disposition = "inline" if mimetype.startswith("image/") else "attachment"
        headers = {**NO_STORE, "Content-Disposition": f'{disposition}; filename="{_safe(name)}"'}
        return web.Response(body=content, content_type=mimetype, headers=headers)

    async def command(body: dict[str, Any]) -> dict[str, Any]:
        persona = _persona(session, body)
        async with session.lock:
            done = await session.gestures.command(persona, _str(body, "text"), _str(body, "channel"))
        return {"ok": True, "outcome": done}

    async def action(body: dict[str, Any]) -> dict[str, Any]:
        persona = _persona(session, body)
        where, act = body.get("where"), body.get("action")
        if not isinstance(where, dict) or not isinstance(act, dict):
            raise GestureError("an action needs `where` and `action` objects")
        async with session.lock:
            await session.gestures.action(persona, where, act)
        return {"ok": True}

    async def submit(body: dict[str, Any]) -> dict[str, Any]:
        persona = _persona(session, body)
        values = body.get("values")
        if not isinstance(values, dict):
            raise GestureError("a submission needs its `values`")
        async with session.lock:
            outcome = await session.gestures.submit(persona, _str(body, "view_id"), values)
        return {"ok": True, "outcome": outcome}

    async def close(body: dict[str, Any]) -> dict[str, Any]:
        persona = _persona(session, body)
        async with session.lock:
            await session.gestures.close(persona, _str(body, "view_id"))
        return {"ok": True}

    async def message(body: dict[str, Any]) -> dict[str, Any]:
        persona = _persona(session, body)
        thread = body.get("thread_ts")
        async with session.lock:
            ts = await session.gestures.message(
                persona, _str(body, "channel"), _str(body, "text"), str(thread) if thread else None
            )
        return {"ok": True, "ts": ts}

    async def mail(body: dict[str, Any]) -> dict[str, Any]:
        reply_to = body.get("in_reply_to")
        await session.write_mail(
            _str(body, "from"), str(body.get("subject") or ""), str(body.get("text") or ""),
            str(reply_to) if reply_to else None,
        )  # fmt: skip
        return {"ok": True}

    async def react(body: dict[str, Any]) -> dict[str, Any]:
        persona = _persona(session, body)
        async with session.lock:
            await session.gestures.react(
                persona, _str(body, "channel"), _str(body, "ts"), str(body.get("reaction") or "ticket")
            )
        return {"ok": True}

    async def home(body: dict[str, Any]) -> dict[str, Any]:
        persona = _persona(session, body)
        async with session.lock:
            await session.gestures.open_home(persona)
        return {"ok": True}

    async def clock(body: dict[str, Any]) -> dict[str, Any]:
        now = await session.move_clock(_str(body, "move"))
        return {"ok": True, "now": now.isoformat(timespec="milliseconds")}

    async def reset(body: dict[str, Any]) -> dict[str, Any]:
        await session.reset()
        return {"ok": True}

    app.router.add_get("/", index)
    app.router.add_get("/archives/{channel}/{message}", index)  # the page finds the message itself
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/timeline", timeline)
    app.router.add_get("/api/files/{file_id}", file)
    posts: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]] = {
        "command": command, "action": action, "submit": submit, "close": close, "message": message,
        "home": home, "clock": clock, "reset": reset, "mail": mail, "react": react,
    }  # fmt: skip
    for name, handler in posts.items():
        app.router.add_post(f"/api/{name}", _post(handler))
    return app


def _post(handler: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]) -> Handler:
    async def post(request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return _json({"error": "send JSON (Content-Type: application/json)"}, status=415)
        try:
            body = await request.json()
        except (ValueError, LookupError):  # not JSON, not UTF-8 (a ValueError), a charset Python lacks
            return _json({"error": "the body is not JSON"}, status=400)
        if not isinstance(body, dict):
            return _json({"error": "send a JSON object"}, status=400)
        return _json(await handler(body))

    return post


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """What the page asked for cannot be done: a 400 with the reason, which the page shows."""
    try:
        return await handler(request)
    except (GestureError, ClockError) as exc:
        return _json({"error": str(exc)}, status=400)


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers=NO_STORE)


def _persona(session: PlaygroundSession, body: dict[str, Any]) -> str:
    persona = _str(body, "persona")
    session.persona(persona)  # refuses someone the policy does not name
    return persona


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise GestureError(f"`{key}` is missing or not text")
    return value


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._- " else "_" for c in name) or "file"
