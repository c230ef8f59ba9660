// What a session writes to its socket within one turn of the event loop goes out in one write: a
// market-data fan-out sends many messages at once, and a syscall per message was a fifth of its cost.
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';

export class CoalescingSocketWriter extends Writable {
  private corked = false;

  constructor(private readonly socket: Socket) {
    super({ decodeStrings: false });
  }

  override _write(
    chunk: Buffer | string,
    encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    if (this.socket.destroyed) return done();
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    // A slow client holds the session's writes back here rather than in an ever-growing socket buffer.
    if (this.socket.write(chunk, encoding)) return done();
    const resume = () => {
      this.socket.off('drain', resume);
      this.socket.off('close', resume);
      done();
    };
    this.socket.on('drain', resume);
    this.socket.on('close', resume);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.socket.end(done);
  }
}
