import type pg from 'pg';

/** How far each block of one family has been written (see BatchWriter's checkpoint advance). */
export class CheckpointStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  /** Block → last written stream sequence, for checkpoints of the stream created at `streamCreated`. */
  async load(family: string, streamCreated: string): Promise<Map<number, number>> {
    const { rows } = await this.pool.query<{ block: number; stream_seq: string }>(
      `SELECT block, stream_seq FROM "${this.schema}".checkpoints
        WHERE family = $1 AND stream_created = $2::timestamptz`,
      [family, streamCreated],
    );
    return new Map(rows.map((r) => [r.block, Number(r.stream_seq)]));
  }
}
