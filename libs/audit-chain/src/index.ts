export { canonicalJson } from './canonical-json.js';
export {
  genesisHash,
  linkHash,
  verifyChain,
  type AuditLink,
  type ChainVerdict,
  type StoredLink,
} from './audit-link.js';
