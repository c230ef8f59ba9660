import bcrypt from 'bcryptjs';

/** 2^12 rounds: about 0.25 s per logon in bcryptjs, cheap once per session, dear for a guesser. */
const BCRYPT_COST = 12;
// Compared against when the SenderCompID is unknown, so the answer takes as long as for a known one.
const DECOY = bcrypt.hash('no FIX client has this password', BCRYPT_COST);

export function hashClientPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

/** Checks a logon's Password(554); `hash` undefined means no such client (spends the same time). */
export async function clientPasswordMatches(password: string, hash: string | undefined): Promise<boolean> {
  if (hash === undefined) {
    await bcrypt.compare(password, await DECOY);
    return false;
  }
  return bcrypt.compare(password, hash);
}
