// Validates an incoming MarketDataRequest (V), as jspurefix decodes it, into what the desk serves, or says
// which field is wrong with the MDReqRejReason a client expects.
import { UnifiedSymbol } from '@tm/contracts';
import {
  MD_ENTRY_TYPE,
  MD_REQ_REJ_REASON,
  MD_UPDATE_TYPE,
  SUBSCRIPTION_REQUEST_TYPE,
  type MdEntryType,
  type MdReqRejReason,
} from './market-data-fix.js';

export type SubscriptionKind = 'snapshot' | 'subscribe' | 'unsubscribe';
export type UpdateKind = 'full' | 'incremental';

export interface MarketDataRequest {
  readonly mdReqId: string;
  readonly subscriptionRequestType: SubscriptionKind;
  /** MarketDepth: 0 = the full book, N = the best N levels a side. */
  readonly depth: number;
  /** Set for 'subscribe'; a snapshot ignores it. */
  readonly updateType: UpdateKind | undefined;
  /** Deduplicated, in the order asked. Empty for 'unsubscribe'. */
  readonly entryTypes: readonly MdEntryType[];
  /** ccxt unified symbols, deduplicated. Empty for 'unsubscribe'. */
  readonly symbols: readonly string[];
}

export interface MarketDataRequestRefusal {
  readonly ok: false;
  /** '' when the request carried none; the reject still goes out so the client hears something. */
  readonly mdReqId: string;
  /** Undefined when no MDReqRejReason fits (a missing MDReqID); the field is optional in Y. */
  readonly reason: MdReqRejReason | undefined;
  readonly text: string;
}

export type MarketDataRequestParse =
  { readonly ok: true; readonly request: MarketDataRequest } | MarketDataRequestRefusal;

const SUBSCRIPTION_KINDS: Record<string, SubscriptionKind> = {
  [SUBSCRIPTION_REQUEST_TYPE.snapshot]: 'snapshot',
  [SUBSCRIPTION_REQUEST_TYPE.subscribe]: 'subscribe',
  [SUBSCRIPTION_REQUEST_TYPE.unsubscribe]: 'unsubscribe',
};
const SUPPORTED_ENTRY_TYPES: ReadonlySet<string> = new Set(Object.values(MD_ENTRY_TYPE));

type Fields = Record<string, unknown>;

export function parseMarketDataRequest(message: unknown): MarketDataRequestParse {
  if (!isRecord(message)) return refuse('', undefined, 'MarketDataRequest is not a message object');
  const mdReqId = typeof message.MDReqID === 'string' ? message.MDReqID.trim() : textOf(message.MDReqID);
  if (mdReqId === undefined || mdReqId === '') return refuse('', undefined, 'MDReqID (262) is required');

  const kind = SUBSCRIPTION_KINDS[textOf(message.SubscriptionRequestType) ?? ''];
  if (kind === undefined) {
    return refuse(
      mdReqId,
      MD_REQ_REJ_REASON.unsupportedSubscriptionRequestType,
      `SubscriptionRequestType (263) must be 0 (snapshot), 1 (snapshot + updates) or 2 (unsubscribe), got ${show(message.SubscriptionRequestType)}`,
    );
  }
  // An unsubscribe names its subscription by MDReqID alone; the rest of the request is not looked at.
  if (kind === 'unsubscribe') {
    return {
      ok: true,
      request: {
        mdReqId,
        subscriptionRequestType: kind,
        depth: 0,
        updateType: undefined,
        entryTypes: [],
        symbols: [],
      },
    };
  }

  const depth = wholeNumberOf(message.MarketDepth);
  if (depth === undefined || depth < 0) {
    return refuse(
      mdReqId,
      MD_REQ_REJ_REASON.unsupportedMarketDepth,
      `MarketDepth (264) must be 0 (full book) or a positive number of levels, got ${show(message.MarketDepth)}`,
    );
  }

  let updateType: UpdateKind | undefined;
  if (message.MDUpdateType !== undefined || kind === 'subscribe') {
    const value = wholeNumberOf(message.MDUpdateType);
    updateType =
      value === MD_UPDATE_TYPE.full
        ? 'full'
        : value === MD_UPDATE_TYPE.incremental
          ? 'incremental'
          : undefined;
    if (updateType === undefined) {
      return refuse(
        mdReqId,
        MD_REQ_REJ_REASON.unsupportedMdUpdateType,
        `MDUpdateType (265) must be 0 (full refresh) or 1 (incremental refresh)${kind === 'subscribe' ? ' for a subscription' : ''}, got ${show(message.MDUpdateType)}`,
      );
    }
  }

  // We only have the consolidated book; a client asking for per-source books must hear so.
  if (message.AggregatedBook === false || message.AggregatedBook === 'N') {
    return refuse(
      mdReqId,
      MD_REQ_REJ_REASON.unsupportedAggregatedBook,
      'AggregatedBook (266) must be Y: only the consolidated book is served',
    );
  }

  const entries = message.MDReqGrp;
  if (!Array.isArray(entries) || entries.length === 0) {
    return refuse(
      mdReqId,
      MD_REQ_REJ_REASON.unsupportedMdEntryType,
      'MDReqGrp (267) must name at least one MDEntryType',
    );
  }
  const entryTypes: MdEntryType[] = [];
  for (const entry of entries) {
    const type = isRecord(entry) ? textOf(entry.MDEntryType) : undefined;
    if (type === undefined || !SUPPORTED_ENTRY_TYPES.has(type)) {
      return refuse(
        mdReqId,
        MD_REQ_REJ_REASON.unsupportedMdEntryType,
        `MDEntryType (269) must be 0 (bid), 1 (offer) or 2 (trade), got ${show(isRecord(entry) ? entry.MDEntryType : entry)}`,
      );
    }
    if (!entryTypes.includes(type as MdEntryType)) entryTypes.push(type as MdEntryType);
  }

  const instruments = message.InstrmtMDReqGrp;
  if (!Array.isArray(instruments) || instruments.length === 0) {
    return refuse(
      mdReqId,
      MD_REQ_REJ_REASON.unknownSymbol,
      'InstrmtMDReqGrp (146) must name at least one Symbol',
    );
  }
  const symbols: string[] = [];
  for (const related of instruments) {
    const instrument = isRecord(related) && isRecord(related.Instrument) ? related.Instrument : undefined;
    const symbol = instrument?.Symbol;
    if (typeof symbol !== 'string' || !UnifiedSymbol.safeParse(symbol).success) {
      return refuse(
        mdReqId,
        MD_REQ_REJ_REASON.unknownSymbol,
        `Symbol (55) must be a unified symbol like BTC/USDT, got ${show(symbol)}`,
      );
    }
    if (!symbols.includes(symbol)) symbols.push(symbol);
  }

  return {
    ok: true,
    request: { mdReqId, subscriptionRequestType: kind, depth, updateType, entryTypes, symbols },
  };
}

function refuse(mdReqId: string, reason: MdReqRejReason | undefined, text: string): MarketDataRequestRefusal {
  return { ok: false, mdReqId, reason, text };
}

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A CHAR/STRING field: jspurefix gives a string, a hand-built object may give a number. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** An INT field: jspurefix gives a number, a hand-built object may give its digits. */
function wholeNumberOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
