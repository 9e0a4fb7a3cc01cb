export * from './error-code';
export * from './gateway-error';
