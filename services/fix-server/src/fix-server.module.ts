import { Module } from '@nestjs/common';
import { FixClientsController } from './clients/fix-clients.controller.js';
import { FixServerService } from './fix-server.service.js';

/** fix-server: the FIX 4.4 acceptor for clients, their sessions kept in PostgreSQL, and the clients' admin API. */
@Module({ providers: [FixServerService], controllers: [FixClientsController] })
export class FixServerModule {}
