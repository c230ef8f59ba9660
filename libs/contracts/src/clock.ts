/** Wall-clock time in integer microseconds since the epoch (`tsInit` on the wire); safe as a JS number until 2255. */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
