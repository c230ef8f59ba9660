import { Module } from '@nestjs/common';

/** fix-server: the FIX 4.4 acceptor for clients and initiator sessions to liquidity providers. The host gives it lifecycle, control, health and connections; its features land with issue 8. */
@Module({})
export class FixServerModule {}
