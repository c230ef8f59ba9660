export {
  SlotMembership,
  DEFAULT_MEMBER_TTL_MS,
  type MemberStore,
  type SlotMembershipOptions,
  type MembershipChange,
  type MembershipListener,
} from './slot-membership.js';
export { MembershipError, MembershipErrorCode } from './membership.error.js';
