import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SLOT_COUNT, type SlotRange } from '@tm/sharding';
import { expectEventually, uniqueSubjectRoot } from '@tm/testing';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DEFAULT_MEMBER_TTL_MS, SlotMembership, type MembershipChange } from '../src/index.js';

const TTL = DEFAULT_MEMBER_TTL_MS;

describe('SlotMembership against NATS', () => {
  let bucket: string;
  let admin: NatsConnection;
  let adminKv: KV;
  const connections: NatsConnection[] = [];
  const memberships: SlotMembership[] = [];
  /** Slots a member gained while another member of the test still owned them: must stay empty. */
  const overlaps: string[] = [];
  /** What each member last told its listeners it owns (ownedRanges() is live and may run ahead of it). */
  const lastOwned = new Map<SlotMembership, SlotRange[]>();

  beforeEach(async () => {
    bucket = `${uniqueSubjectRoot()}_MEMBERS_TEST`;
    admin = await connect({ servers: inject('natsUrl') });
    adminKv = await new Kvm(admin).create(bucket, { ttl: TTL, history: 1 });
    overlaps.length = 0;
  });

  afterEach(async () => {
    await Promise.all(memberships.splice(0).map((membership) => membership.stop()));
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await adminKv.destroy();
    await admin.close();
  });

  async function member(instanceId: string): Promise<{ membership: SlotMembership; nc: NatsConnection }> {
    const nc = await connect({ servers: inject('natsUrl') });
    connections.push(nc);
    const membership = await SlotMembership.open(nc, { bucket, instanceId, memberTtlMs: TTL });
    membership.onChange((change) => {
      lastOwned.set(membership, change.owned);
      checkNoOverlap(membership, change);
    });
    memberships.push(membership);
    await membership.start();
    return { membership, nc };
  }

  function checkNoOverlap(self: SlotMembership, change: MembershipChange): void {
    for (const other of memberships) {
      if (other === self) continue;
      for (const range of change.gained) {
        if (other.owns(range.first) || other.owns(range.last)) {
          overlaps.push(`${self.instanceId} gained ${range.toString()} still owned by ${other.instanceId}`);
        }
      }
    }
  }

  /** Every slot owned by exactly one of `live`, all of them agreeing on who is a member. */
  function expectExactSplit(live: SlotMembership[]): void {
    const ids = live.map((membership) => membership.instanceId).sort();
    for (const membership of live) expect(membership.members()).toEqual(ids);
    const owners = new Uint8Array(SLOT_COUNT + 1);
    for (const membership of live) {
      for (const range of membership.ownedRanges())
        owners.fill(owners[range.first]! + 1, range.first, range.last + 1);
    }
    const misowned = owners.findIndex((count, slot) => slot > 0 && count !== 1);
    expect(misowned).toBe(-1);
    for (let slot = 1; slot <= SLOT_COUNT; slot += 97) {
      expect(live.filter((membership) => membership.owns(slot))).toHaveLength(1);
    }
  }

  it('splits the slots exactly between two members', async () => {
    const a = await member('agg-a');
    const b = await member('agg-b');
    await expectEventually(() => expectExactSplit([a.membership, b.membership]), 5_000);
    expect(a.membership.ownedRanges().length).toBeGreaterThan(0);
    expect(b.membership.ownedRanges().length).toBeGreaterThan(0);
    expect(overlaps).toEqual([]);
  });

  it('splits the slots exactly among three members, and stop() hands one share to the others', async () => {
    const [a, b, c] = await Promise.all([member('agg-a'), member('agg-b'), member('agg-c')]);
    await expectEventually(() => expectExactSplit([a.membership, b.membership, c.membership]), 5_000);

    // Every change of B from here on; under load B's claim may lapse just before stop(), and then it is
    // that change, not stop()'s, that gives the slots up. What B held is what it last told its listeners:
    // a claim renewed after a lapse shows in ownedRanges() before the next change says so.
    const changesOfB: MembershipChange[] = [];
    b.membership.onChange((change) => void changesOfB.push(change));
    const heldByB = lastOwned.get(b.membership) ?? [];
    await b.membership.stop();

    expect(b.membership.ownedRanges()).toEqual([]);
    if (heldByB.length > 0) expect(changesOfB.at(-1)?.owned).toEqual([]);
    expect(changesOfB.flatMap((change) => change.lost)).toEqual(heldByB);
    await expectEventually(() => expectExactSplit([a.membership, c.membership]), 5_000);
    expect(overlaps).toEqual([]);
  });

  it('drops a member whose key is never renewed, and its slots move', async () => {
    await adminKv.put('ghost', 'ghost');
    const a = await member('agg-a');
    const b = await member('agg-b');
    await expectEventually(() => expect(a.membership.members()).toContain('ghost'), 2_000);

    await expectEventually(() => expectExactSplit([a.membership, b.membership]), TTL + 2_000);
    expect(overlaps).toEqual([]);
  });

  it('moves the slots of a crashed member to the survivor, after the crashed one stopped claiming', async () => {
    const a = await member('agg-a');
    const b = await member('agg-b');
    await expectEventually(() => expectExactSplit([a.membership, b.membership]), 5_000);
    const changesOfB: MembershipChange[] = [];
    b.membership.onChange((change) => void changesOfB.push(change));

    // Closing its connection stops renewals without deleting the key: the others see a crash.
    await b.nc.close();

    await expectEventually(() => {
      expect(b.membership.claiming).toBe(false);
      expect(b.membership.ownedRanges()).toEqual([]);
      expect(changesOfB.at(-1)?.owned).toEqual([]);
    }, TTL);
    await expectEventually(() => {
      expect(a.membership.members()).toEqual(['agg-a']);
      expect(a.membership.ownedRanges().reduce((sum, range) => sum + range.size, 0)).toBe(SLOT_COUNT);
    }, 5_000);
    expect(overlaps).toEqual([]);
  });

  it('refuses a second live instance with the same id', async () => {
    await member('agg-a');
    const nc = await connect({ servers: inject('natsUrl') });
    connections.push(nc);
    const twin = await SlotMembership.open(nc, { bucket, instanceId: 'agg-a', memberTtlMs: TTL });
    await expect(twin.start()).rejects.toThrow(/another live instance/);
  });
});
