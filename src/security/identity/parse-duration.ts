/** Durations and instants as operators type them on the command line (`90d`, `1h`, `2027-01-01`). */

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,6})([mhdw])$/;

/** Milliseconds of `<n>m|h|d|w` (e.g. `30m`, `1h`, `90d`, `2w`), or undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m === null ? undefined : Number(m[1]) * UNIT_MS[m[2]!]!;
}

/**
 * The instant `text` names: a duration from `now` (`90d`) or an ISO-8601 date or date-time
 * (`2027-01-01`, `2027-01-01T12:00:00Z`; a bare date is midnight UTC, a time without zone is UTC). Undefined when it is neither.
 */
export function parseInstant(text: string, now: Date): Date | undefined {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now.getTime() + ms);
  const m = /^(\d{4}-\d\d-\d\d)(?:[T ]([0-9:.]+)(Z|[+-]\d\d:?\d\d)?)?$/.exec(text.trim());
  if (m === null) return undefined;
  const t = Date.parse(m[2] === undefined ? `${m[1]}T00:00:00Z` : `${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
  return Number.isFinite(t) ? new Date(t) : undefined;
}
