// Which sockets follow which flows for `flow:progress`: two maps of sets, nothing per flow nobody follows.

/** A flow's key: its account and id (both `[A-Za-z0-9_-]`, so `/` cannot be part of either). */
export function flowKey(account: string, flowId: string): string {
  return `${account}/${flowId}`;
}

export class FlowFollowers<C = string> {
  private readonly byFlow = new Map<string, Set<C>>();
  private readonly bySocket = new Map<C, Set<string>>();

  /** @param maxPerSocket flows one socket follows at most: past it, the one it followed longest is let go. */
  constructor(private readonly maxPerSocket: number) {}

  follow(socket: C, flow: string): void {
    let flows = this.bySocket.get(socket);
    if (flows === undefined) this.bySocket.set(socket, (flows = new Set()));
    // Followed again: it moves to the newest, so a flow asked about often is the last to be let go.
    flows.delete(flow);
    flows.add(flow);
    let sockets = this.byFlow.get(flow);
    if (sockets === undefined) this.byFlow.set(flow, (sockets = new Set()));
    sockets.add(socket);
    if (flows.size > this.maxPerSocket) {
      const oldest = flows.values().next().value as string;
      this.drop(socket, oldest);
    }
  }

  of(flow: string): ReadonlySet<C> | undefined {
    return this.byFlow.get(flow);
  }

  /** The flow ended: nobody follows it any more. */
  forgetFlow(flow: string): void {
    const sockets = this.byFlow.get(flow);
    if (sockets === undefined) return;
    this.byFlow.delete(flow);
    for (const socket of sockets) {
      const flows = this.bySocket.get(socket);
      flows?.delete(flow);
      if (flows?.size === 0) this.bySocket.delete(socket);
    }
  }

  /** The socket is gone: it follows nothing any more. */
  forgetSocket(socket: C): void {
    const flows = this.bySocket.get(socket);
    if (flows === undefined) return;
    this.bySocket.delete(socket);
    for (const flow of flows) {
      const sockets = this.byFlow.get(flow);
      sockets?.delete(socket);
      if (sockets?.size === 0) this.byFlow.delete(flow);
    }
  }

  /** Flows followed by anyone, and sockets following any: what the maps hold. */
  get size(): { flows: number; sockets: number } {
    return { flows: this.byFlow.size, sockets: this.bySocket.size };
  }

  private drop(socket: C, flow: string): void {
    this.bySocket.get(socket)?.delete(flow);
    const sockets = this.byFlow.get(flow);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.byFlow.delete(flow);
  }
}
