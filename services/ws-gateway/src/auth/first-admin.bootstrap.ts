import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigError } from '@tm/config';
import { LOGGER, SERVICE_CONFIG } from '@tm/service-host';
import type { Logger } from '@tm/telemetry';
import { refusedAuthSettings, type AuthSettings } from './auth-settings.js';
import { PasswordHasher } from './password-hasher.js';
import { UserStore } from './user-store.js';

/**
 * Before the gateway serves: refuses a start with weak auth settings (ConfigError, so the host exits 78
 * naming every problem at once), then, when no user exists, creates the first admin from TM_ADMIN_USER and
 * TM_ADMIN_PASSWORD. Outside production a missing password is generated and logged once at warn.
 * Both live here because whether a weak admin password matters depends on whether an admin is created.
 */
@Injectable()
export class FirstAdminBootstrap implements OnModuleInit {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly settings: AuthSettings,
    @Inject(UserStore) private readonly users: UserStore,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const creating = await this.users.isEmpty();
    const problems = refusedAuthSettings(this.settings, creating);
    if (problems.length) throw new ConfigError(problems);
    if (!creating) return;
    const username = this.settings.adminUser;
    const generated = this.settings.adminPassword === undefined;
    const password = this.settings.adminPassword ?? randomBytes(18).toString('base64url');
    const admin = await this.users.createFirst({
      username,
      passwordHash: await this.hasher.hash(password),
      role: 'admin',
    });
    if (!admin) return; // another replica created it first
    if (generated) {
      // In a field, not the message: the host forwards only messages to tm.sys.log, so it stays on stdout.
      this.logger.warn(
        { username, password },
        'no user existed: created the first admin with a generated password, shown only this once; set TM_ADMIN_PASSWORD to choose it',
      );
    } else {
      this.logger.info({ username }, 'no user existed: created the first admin from TM_ADMIN_USER');
    }
  }
}
