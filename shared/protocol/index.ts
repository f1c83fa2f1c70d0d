// The relay wire protocol v1, shared by the relay (server/) and its clients (main/core/).
// docs/protocol.md is the normative text; these schemas implement it.
export * from './limits.js';
export * from './errors.js';
export * from './encoding.js';
export * from './schemas.js';
export * from './frames.js';
export * from './endpoints.js';
export * from './audit.js';
export * from './attachment-schemas.js';
export * from './multi-send-schemas.js';
export * from './batch-send-schemas.js';
export * from './roles.js';
export * from './link-schemas.js';
