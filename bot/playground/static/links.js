// Links into the workspace open inside the playground, as the Slack app opens them in itself: a message's
// permalink (https://acme.slack.com/archives/C…/p1700000000000100[?thread_ts=…]) shows that message in its
// conversation, a shared file's permalink serves the file. Any other link opens in a new tab.

const ARCHIVE = /^\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})\/?$/;

// The playground's own address for a workspace link, or null for a link elsewhere.
export function inside(url, workspace) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!workspace || parsed.protocol !== "https:" || parsed.host !== workspace) return null;
  const archive = parsed.pathname.match(ARCHIVE);
  if (archive) return `/archives/${archive[1]}/p${archive[2]}${archive[3]}${parsed.search}`;
  const file = parsed.pathname.match(/^\/files\/[^/]+\/(F[A-Z0-9]+)(?:\/|$)/);
  if (file) return `/api/files/${file[1]}`;
  return null;
}

// The message an in-playground permalink (a path and query) points at: {channel, ts, thread}, or null.
export function permalinkTarget(path, search) {
  const archive = path.match(ARCHIVE);
  if (!archive) return null;
  const thread = new URLSearchParams(search).get("thread_ts");
  return { channel: archive[1], ts: `${archive[2]}.${archive[3]}`, thread: thread || null };
}

// An <a> for `url` (its text set by the caller): inside the playground where it can, else a new tab.
export function link(url, workspace) {
  const anchor = document.createElement("a");
  const local = inside(url, workspace);
  anchor.href = local || url;
  if (!local || !local.startsWith("/archives/")) {
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
  }
  return anchor;
}
