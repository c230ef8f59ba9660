/** The PostgreSQL schema the persister owns; no other service writes it. */
export const PERSISTER_SCHEMA = 'persister';
