// Every data source a test file opens, so afterAll can destroy them all and vitest can exit.
import { createServiceDataSource, type ServiceDatabaseOptions } from '../src/index.js';
import type { DataSource } from 'typeorm';

export class OpenDataSources {
  private readonly opened: DataSource[] = [];

  async open(
    options: Omit<ServiceDatabaseOptions, 'migrations' | 'applicationName'> & { applicationName?: string },
  ): Promise<DataSource> {
    const ds = createServiceDataSource({
      applicationName: 'tm-persistence-test',
      migrations: [],
      ...options,
    });
    await ds.initialize();
    this.opened.push(ds);
    return ds;
  }

  async destroyAll(): Promise<void> {
    await Promise.all(this.opened.filter((ds) => ds.isInitialized).map((ds) => ds.destroy()));
  }
}
