import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

/**
 * Marks a route whose body may be up to TRANSACTION_BATCH_BODY_LIMIT_BYTES instead of
 * BODY_LIMIT_BYTES (a batch request carries many bodies). The mark travels in the Fastify route
 * config; the app factory turns it into the route's bodyLimit when the route is registered.
 */
export function LargeBody(): MethodDecorator {
  return (_target, _key, descriptor) => {
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, descriptor.value as object) ?? {}) as Record<string, unknown>;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, largeBody: true }, descriptor.value as object);
  };
}

export const takesLargeBody = (routeConfig: unknown): boolean => (routeConfig as { largeBody?: boolean } | undefined)?.largeBody === true;
