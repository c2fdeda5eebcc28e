export * from './gateway.js';
export * from './rest.js';
export * from './store/index.js';
