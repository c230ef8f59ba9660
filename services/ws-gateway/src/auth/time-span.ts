// jose's time-span notation as ws-gateway's config accepts it ("15m", "7d", "3600 s"), in seconds. We
// compute expiries ourselves so the `expiresIn` we answer is exactly what the token says.
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3_600,
  hr: 3_600,
  hrs: 3_600,
  hour: 3_600,
  hours: 3_600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
};

const SPAN = /^(\d+)\s*([a-z]+)$/;
/** The configuration's check of a time span, from the same unit table. */
export const TIME_SPAN_PATTERN = new RegExp(`^\\d+\\s*(${Object.keys(UNIT_SECONDS).join('|')})$`);

export function timeSpanSeconds(text: string): number {
  const match = SPAN.exec(text.trim());
  const unit = match ? UNIT_SECONDS[match[2]] : undefined;
  if (!match || unit === undefined) throw new Error(`"${text}" is not a time span like 15m, 1h or 7d`);
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new Error(`"${text}" is not a positive time span`);
  return seconds;
}
