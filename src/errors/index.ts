export * from './error-code';
export * from './gateway-error';
export * from './to-gateway-error';
