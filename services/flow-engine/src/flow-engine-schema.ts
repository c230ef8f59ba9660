/** The PostgreSQL schema flow-engine owns. */
export const FLOW_ENGINE_SCHEMA = 'flow_engine';
