export * from './auth.js';
export * from './common.js';
export * from './errors.js';
export * from './friends.js';
export * from './gateway.js';
export * from './messages.js';
export * from './servers.js';
export * from './users.js';
