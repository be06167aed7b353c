"""Whether a reply to a shipped fix only says thank you (then it is noted, and the fix's confirmation
window runs on) or says anything else (then it reopens the ticket as "still fails").

Deliberately narrow: every word must be a courtesy word, the sender's own name or their company's, so a
reply with any words of its own ("thanks, but the export still stops") reopens. Wrongly reopening costs an
engineer a look; wrongly not reopening would close a ticket that still fails.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MAX_WORDS = 25
COURTESY = frozenset(
    """
    thanks thank you thx ty many much very so a lot great perfect ok okay cheers kind regards best warm
    wishes brilliant awesome appreciated appreciate noted got it works working now fine all good looks
    and for the update fix your help again confirmed yes sounds excellent wonderful super nice hi hello
    dear team support sincerely have day week that this is we i work job done quick
    """.split()
)


def only_thanks(text: str, names: str = "") -> bool:
    words = [w.lower() for w in WORD.findall(text)]
    own = {w.lower() for w in WORD.findall(names)}
    return len(words) <= MAX_WORDS and all(w in COURTESY or w in own for w in words)
