import type { IncomingMessage, ServerResponse } from 'http';
import helmet from 'helmet';

/**
 * The security headers helmet would set, computed once at boot. (@fastify/helmet rebuilds
 * helmet's middleware on every request; the policy here is static, so its headers are too.)
 * The CSP keeps Swagger UI working: its scripts are files, its styles inline.
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => (headers[name] = String(value)),
    removeHeader: (name: string) => delete headers[name],
    getHeader: (name: string) => headers[name],
  };
  helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } } })(
    {} as IncomingMessage,
    res as unknown as ServerResponse,
    () => undefined,
  );
  return headers;
}
