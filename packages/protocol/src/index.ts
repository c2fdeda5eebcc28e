export * from './errors.js';
export * from './common.js';
export * from './users.js';
export * from './auth.js';
export * from './gateway.js';
