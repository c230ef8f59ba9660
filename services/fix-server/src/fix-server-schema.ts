/** The PostgreSQL schema fix-server owns. */
export const FIX_SERVER_SCHEMA = 'fix_server';
