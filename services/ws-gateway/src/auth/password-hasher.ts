import { Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';

/** 2^12 rounds: about 0.25 s per hash in bcryptjs on our machines, cheap for a login, dear for a guesser. */
export const BCRYPT_COST = 12;

@Injectable()
export class PasswordHasher {
  // Made once, at start, so the first unknown-user login is no slower than the rest.
  private readonly decoy = bcrypt.hash('no user has this password', BCRYPT_COST);

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, BCRYPT_COST);
  }

  /** Checks against the hash's own cost, so hashes made at an earlier cost still verify. */
  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /** Spends as long as verify() for a user that does not exist, so timing does not tell who does. */
  async verifyNobody(password: string): Promise<false> {
    await bcrypt.compare(password, await this.decoy);
    return false;
  }
}
