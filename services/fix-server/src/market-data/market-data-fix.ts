// The FIX 4.4 market-data vocabulary the desk speaks: enum values and the shapes of W, X and Y in jspurefix's
// repo44 dictionary (field names checked against its generated types; header and trailer are the session's).
import type {
  IMarketDataIncrementalRefresh,
  IMarketDataRequestReject,
  IMarketDataSnapshotFullRefresh,
  IMDFullGrp,
  IMDIncGrp,
} from 'jspurefix/dist/types/FIX4.4/repo/index.js';

// Values of jspurefix's enums (MDEntryType, MDUpdateAction, MDReqRejReason…), kept here as literals so this
// module needs no runtime import of jspurefix.
export const MD_ENTRY_TYPE = { bid: '0', offer: '1', trade: '2' } as const;
export type MdEntryType = (typeof MD_ENTRY_TYPE)[keyof typeof MD_ENTRY_TYPE];

export const MD_UPDATE_ACTION = { new: '0', change: '1', delete: '2' } as const;
export type MdUpdateAction = (typeof MD_UPDATE_ACTION)[keyof typeof MD_UPDATE_ACTION];

export const SUBSCRIPTION_REQUEST_TYPE = { snapshot: '0', subscribe: '1', unsubscribe: '2' } as const;

export const MD_UPDATE_TYPE = { full: 0, incremental: 1 } as const;

export const MD_REQ_REJ_REASON = {
  unknownSymbol: '0',
  duplicateMdReqId: '1',
  insufficientBandwidth: '2',
  insufficientPermissions: '3',
  unsupportedSubscriptionRequestType: '4',
  unsupportedMarketDepth: '5',
  unsupportedMdUpdateType: '6',
  unsupportedAggregatedBook: '7',
  unsupportedMdEntryType: '8',
} as const;
export type MdReqRejReason = (typeof MD_REQ_REJ_REASON)[keyof typeof MD_REQ_REJ_REASON];

export const MARKET_DATA_MSG_TYPE = { snapshot: 'W', incremental: 'X', reject: 'Y' } as const;
export type MarketDataMsgType = (typeof MARKET_DATA_MSG_TYPE)[keyof typeof MARKET_DATA_MSG_TYPE];

/** Prices and sizes go out as decimal strings (jspurefix writes a string verbatim, a number through mathjs). */
type Priced<T> = Omit<T, 'MDEntryPx' | 'MDEntrySize'> & { MDEntryPx?: string; MDEntrySize?: string };
type Body<T> = Omit<T, 'StandardHeader' | 'StandardTrailer'>;

export type MdFullEntry = Priced<IMDFullGrp>;
export type MdIncEntry = Priced<IMDIncGrp>;

export type MarketDataSnapshotFullRefresh = Omit<Body<IMarketDataSnapshotFullRefresh>, 'MDFullGrp'> & {
  MDFullGrp: MdFullEntry[];
};
export type MarketDataIncrementalRefresh = Omit<Body<IMarketDataIncrementalRefresh>, 'MDIncGrp'> & {
  MDIncGrp: MdIncEntry[];
};
export type MarketDataRequestReject = Body<IMarketDataRequestReject>;
