// A parent's state from its children's, by DERIVATION_ORDER (the rule is written beside that table).
import type { LifecycleLevel, LifecycleState } from '@tm/contracts';
import { DERIVATION_ORDER } from './lifecycle-table.js';

export interface LifecycleNode {
  level: LifecycleLevel;
  name: string;
  /** The node's own machine state, when it has one (an application does; a platform feature does not). */
  state?: LifecycleState;
  since?: number;
  reason?: string;
  children?: LifecycleNode[];
}

export interface DerivedLifecycleNode {
  level: LifecycleLevel;
  name: string;
  state: LifecycleState;
  since?: number;
  reason?: string;
  children: DerivedLifecycleNode[];
}

const RANK = new Map(DERIVATION_ORDER.map((state, index) => [state, index]));

/** The worst counted state of `children` (Parked, outside DERIVATION_ORDER, never counts), or `fallback`. */
export function deriveState(children: readonly LifecycleState[], fallback: LifecycleState): LifecycleState {
  let worst: number | undefined;
  for (const state of children) {
    const rank = RANK.get(state);
    if (rank !== undefined && (worst === undefined || rank < worst)) worst = rank;
  }
  return worst === undefined ? fallback : DERIVATION_ORDER[worst]!;
}

/**
 * Derives every node bottom-up. A node with counted children and an own state takes the worst of
 * both; an own Parked state stands (switched off on purpose, whatever its children say). A node
 * with neither is Parked when all its children are, Init when it has none. since/reason come from
 * whichever gave the state: the node itself first, else its first child in that state.
 */
export function deriveTree(node: LifecycleNode): DerivedLifecycleNode {
  const children = (node.children ?? []).map(deriveTree);
  const own = node.state;
  const state =
    own === 'Parked'
      ? own
      : deriveState(
          [...(own ? [own] : []), ...children.map((child) => child.state)],
          children.length > 0 ? 'Parked' : 'Init',
        );
  const source = state === own ? node : children.find((child) => child.state === state);
  return {
    level: node.level,
    name: node.name,
    state,
    ...(source?.since !== undefined ? { since: source.since } : {}),
    ...(source?.reason !== undefined ? { reason: source.reason } : {}),
    children,
  };
}
