import { env, platformConfigSpec } from '@tm/config';

/** The platform's fields plus where the service's HTTP endpoints (health, ready, metrics) listen. */
export function hostedConfigSpec(defaultHttpPort: number) {
  return {
    ...platformConfigSpec,
    httpPort: env.port('TM_HTTP_PORT', { default: defaultHttpPort }),
    httpHost: env.string('TM_HTTP_HOST', {
      default: '0.0.0.0',
      expected: 'an interface address such as 0.0.0.0 or 127.0.0.1',
    }),
    /** With both, the port serves HTTPS (and socket.io over TLS where the service has it). */
    tlsCertFile: env.optionalString('TM_TLS_CERT', { expected: 'the path of a PEM certificate (chain)' }),
    tlsKeyFile: env.optionalString('TM_TLS_KEY', { expected: 'the path of the PEM private key' }),
  };
}
