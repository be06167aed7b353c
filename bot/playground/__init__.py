"""Try Secondline without Slack: the real bot, on its embedded defaults, against the Slack stand-in that
ships with the package (bot/standin), shown in a browser.

`python -m bot playground [--policy FILE] [--port 3000]` serves the page on http://127.0.0.1:3000/:
pick a person from the policy and use Slack as they would (the channels they are in and their threads,
their DM with the bot, App Home, modals, `/support`; every time in their timezone), move the simulated
clock forward to watch targets, the escalation ladder and digests fire, and read every Web API call the
bot made.

    clock.py     real time plus an offset the page moves forward
    times.py     where the clock buttons move time to; the policy's timezones
    people.py    the personas, seeded into the stand-in's workspace
    session.py   the stand-in, the real bot on an internal port, its database; moving the clock; reset
    gestures.py  what a person does, sent to /slack/events as Slack sends it, signed
    composer.py  what Slack's client makes of typed text (`@eng2` becomes a mention)
    modals.py    which modal each person has open, and Slack's handling of submission answers
    tracking.py  the timeline of Web API calls, and private answers where they arrived
    state.py     what one person sees, as JSON
    web.py       the page and its JSON API (aiohttp)
    main.py      the command line
    static/      the page: HTML, a little JavaScript (no build step, nothing from a CDN), CSS
"""
