// Injection tokens the host provides to every service module.
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');
export const LOGGER = Symbol('LOGGER');
export const NATS_LINK = Symbol('NATS_LINK');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const RELIABLE_PUBLISHER = Symbol('RELIABLE_PUBLISHER');
export const DEAD_LETTERS = Symbol('DEAD_LETTERS');
export const SUBJECTS = Symbol('SUBJECTS');
