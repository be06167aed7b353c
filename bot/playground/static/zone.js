// Times as a person sees them in Slack: in their own timezone (users.info's `tz`, in the state), never in
// the timezone of the browser the page happens to run in.

const LOCALE = "en-US"; // Slack's default; its {time} reads "10:30 AM"
const formats = new Map();

function format(tz, options) {
  const key = JSON.stringify([tz, options]);
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(LOCALE, { ...options, timeZone: tz || undefined }));
  return formats.get(key);
}

// `date` in `tz`, with Intl options: inZone(at, "Europe/Berlin", {hour: "numeric", minute: "2-digit"})
export function inZone(date, tz, options) {
  return format(tz, options).format(date);
}

// The calendar day of `date` in `tz`, as a number of days since 1970 (to tell today from tomorrow).
export function dayNumber(date, tz) {
  const parts = Object.fromEntries(
    format(tz, { year: "numeric", month: "numeric", day: "numeric" }).formatToParts(date).map((p) => [p.type, p.value]),
  );
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) / 86400000;
}

// "2026-11-22": Slack's {date_num}, in `tz`.
export function isoDay(date, tz) {
  return new Date(dayNumber(date, tz) * 86400000).toISOString().slice(0, 10);
}
