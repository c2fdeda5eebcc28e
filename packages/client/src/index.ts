export * from './rest.js';
