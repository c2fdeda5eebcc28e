export * from './gateway.js';
export * from './rest.js';
