import type { Logger } from '@tm/telemetry';
import { JsFixLoggerFactory, type IJsFixLogger, type JsFixLogFields } from 'jspurefix';

/**
 * jspurefix's log lines into ours. Its info is per message, so debug; its "errors" are a peer's doing (a
 * first message that is not a Logon, a peer not answering, a dropped connection), so info, not alarms.
 */
export class PinoFixLogFactory extends JsFixLoggerFactory {
  constructor(private readonly log: Logger) {
    super();
  }

  logger(type: string, context?: JsFixLogFields): IJsFixLogger {
    const log = this.log.child({ fix: type, ...context });
    return {
      info: (message) => log.debug(message),
      debug: (message) => log.trace(message),
      warning: (message) => log.warn(message),
      error: (e) => log.info({ err: e }, 'FIX session error'),
    };
  }

  plain(fileName: string): IJsFixLogger {
    return this.logger(fileName);
  }
}
