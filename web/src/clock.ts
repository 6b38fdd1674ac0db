/**
 * The server's clock as seen from here. TVs often run with a wrong clock (no NTP, no
 * battery), so ages ("updated 12 s ago") and the header clock use the server's time:
 * the offset is estimated from the `Date` header of API answers (1 s resolution).
 */

let offsetMs = 0;

/** Records the server time an answer carried; `sentAt`/`receivedAt` from Date.now(). */
export function noteServerDate(dateHeader: string | null, sentAt: number, receivedAt: number): void {
  if (!dateHeader) return;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return;
  // The header is truncated to the second: the server's clock was in [server, server + 1000).
  const estimate = server + 500 - (sentAt + receivedAt) / 2;
  // Within the header's resolution, trust our own clock.
  offsetMs = Math.abs(estimate) < 1500 ? 0 : estimate;
}

export const serverNow = (): number => Date.now() + offsetMs;
export const clockOffsetMs = (): number => offsetMs;
