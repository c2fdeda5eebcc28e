export * from './apply-event.js';
export * from './chat-session.js';
export * from './chat-store.js';
export * from './message-list.js';
export * from './message-window.js';
export * from './saved-outbox.js';
