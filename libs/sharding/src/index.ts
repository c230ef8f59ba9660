export { SLOT_COUNT, slot, instrumentSlot, accountSlot, isValidSlot } from './slot.js';
export { SlotRange, SLOT_BLOCK_COUNT, blockOfSlot } from './slot-range.js';
export { SlotOwnership, assignSlotRanges, ownerOfSlot } from './slot-ownership.js';
export { tmSlotMigration, type SqlMigration } from './tm-slot.migration.js';
export { ShardingError, ShardingErrorCode, SlotOutOfRangeError } from './sharding.error.js';
