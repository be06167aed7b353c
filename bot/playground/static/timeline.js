// Every Web API call the bot made, in order, each expandable to its JSON (arguments and Slack's answer),
// each at its time in the persona's timezone.

import { inZone } from "./zone.js";

function summary(entry) {
  const a = entry.args || {};
  const where = a.channel || a.channel_id || a.user_id || a.user || (a.view && a.view.type) || "";
  const words = a.text ? String(a.text).slice(0, 60) : a.view?.title?.text || "";
  return [where, words].filter(Boolean).join(" · ");
}

function time(iso, tz) {
  return inZone(new Date(iso), tz, { hour: "numeric", minute: "2-digit", second: "2-digit" });
}

export class Timeline {
  constructor(list, count) {
    this.list = list;
    this.count = count;
    this.entries = [];
    this.times = []; // each row's <time>, redrawn in another timezone when the persona changes
    this.tz = null;
    this.loading = false;
  }

  zone(tz) {
    if (tz === this.tz) return;
    this.tz = tz;
    this.entries.forEach((entry, i) => (this.times[i].textContent = time(entry.at, tz)));
  }

  async sync(length) {
    if (length < this.entries.length) this.reset(); // the playground was reset
    if (length <= this.entries.length || this.loading) return;
    this.loading = true;
    try {
      const answer = await fetch(`/api/timeline?since=${this.entries.length}`).then((r) => r.json());
      if (answer.since !== this.entries.length) return;
      const atBottom = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 8;
      for (const entry of answer.entries) {
        this.entries.push(entry);
        this.list.append(this.row(entry));
      }
      this.count.textContent = String(this.entries.length);
      if (atBottom) this.list.scrollTop = this.list.scrollHeight;
    } finally {
      this.loading = false;
    }
  }

  reset() {
    this.entries = [];
    this.times = [];
    this.list.replaceChildren();
    this.count.textContent = "0";
  }

  row(entry) {
    const details = document.createElement("details");
    details.className = `call${entry.ok ? "" : " failed"}`;
    const head = document.createElement("summary");
    const n = document.createElement("span");
    n.className = "n";
    n.textContent = `#${entry.n}`;
    const at = document.createElement("time");
    at.textContent = time(entry.at, this.tz);
    this.times.push(at);
    const method = document.createElement("code");
    method.textContent = entry.method;
    const outcome = document.createElement("span");
    outcome.className = "outcome";
    outcome.textContent = entry.ok ? "ok" : `${entry.status} ${entry.error || "failed"}`;
    const about = document.createElement("span");
    about.className = "about";
    about.textContent = summary(entry);
    head.append(n, at, method, outcome, about);
    const pre = document.createElement("pre");
    details.append(head, pre);
    details.addEventListener("toggle", () => {
      if (details.open && !pre.textContent) {
        const { n: _n, ...shown } = entry;
        pre.textContent = JSON.stringify(shown, null, 2);
      }
    });
    return details;
  }
}
