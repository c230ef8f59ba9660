/** The slice of a pino logger this lib writes to: an object first, then the message. */
export interface MessagingLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: MessagingLogger = { info: () => {}, warn: () => {}, error: () => {} };
