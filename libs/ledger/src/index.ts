export { applyFill, Dec, FLAT, type Position } from './average-cost.js';
