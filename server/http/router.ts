import * as handlers from './handlers.js';
import type { Handler } from './handlers.js';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  pattern: RegExp;
  /** The route's name in logs: the path template, never the concrete ids. */
  name: string;
  auth: boolean;
  handler: Handler;
}

const uuid = '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

export const routes: readonly Route[] = [
  {
    method: 'GET',
    pattern: /^\/v1\/health$/,
    name: '/v1/health',
    auth: false,
    handler: handlers.health,
  },
  {
    method: 'POST',
    pattern: /^\/v1\/enrol$/,
    name: '/v1/enrol',
    auth: false,
    handler: handlers.enrol,
  },
  { method: 'GET', pattern: /^\/v1\/me$/, name: '/v1/me', auth: true, handler: handlers.me },
  {
    method: 'GET',
    pattern: /^\/v1\/directory$/,
    name: '/v1/directory',
    auth: true,
    handler: handlers.directory,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/accounts/${uuid}$`),
    name: '/v1/accounts/{accountId}',
    auth: true,
    handler: handlers.account,
  },
  {
    method: 'GET',
    pattern: /^\/v1\/keys\/count$/,
    name: '/v1/keys/count',
    auth: true,
    handler: handlers.keyCount,
  },
  {
    method: 'PUT',
    pattern: /^\/v1\/keys$/,
    name: '/v1/keys',
    auth: true,
    handler: handlers.uploadKeys,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/keys/${uuid}(?:/([0-9]{1,3}))?$`),
    name: '/v1/keys/{accountId}[/{deviceId}]',
    auth: true,
    handler: handlers.bundles,
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/v1/messages/${uuid}$`),
    name: '/v1/messages/{accountId}',
    auth: true,
    handler: handlers.sendMessage,
  },
];

export type RouteMatch =
  | { kind: 'found'; route: Route; params: string[] }
  | { kind: 'wrong_method'; allow: string[] }
  | { kind: 'none' };

export function matchRoute(method: string, pathname: string): RouteMatch {
  const allow: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    if (route.method === method) {
      return {
        kind: 'found',
        route,
        params: match.slice(1).filter((p): p is string => p !== undefined),
      };
    }
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'wrong_method', allow } : { kind: 'none' };
}
