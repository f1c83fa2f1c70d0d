import {
  endpointNames,
  endpoints,
  pathParamNames,
  pathParamPatterns,
  type EndpointAuth,
  type EndpointName,
  type HttpMethod,
} from '../../shared/protocol/index.js';
import { handlers, type AnyHandler } from './handlers.js';

/** One endpoint of the table (shared/protocol/endpoints.ts) with its compiled path and handler. */
export interface Route {
  readonly endpoint: EndpointName;
  readonly method: HttpMethod;
  /** The route's name in logs: the path template, never the concrete ids. */
  readonly name: string;
  readonly auth: EndpointAuth;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly handler: AnyHandler;
}

function compile(path: string): RegExp {
  const source = path
    .split(/(\{[A-Za-z]+\})/)
    .map((part) => {
      const param = /^\{([A-Za-z]+)\}$/.exec(part)?.[1];
      if (param === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      if (!(param in pathParamPatterns)) throw new Error(`${path}: no pattern for {${param}}`);
      return `(${pathParamPatterns[param as keyof typeof pathParamPatterns]})`;
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** Exactly the endpoint table: a route cannot exist without its entry, nor an entry unrouted. */
export const routes: readonly Route[] = endpointNames.map((endpoint) => {
  const spec = endpoints[endpoint];
  return {
    endpoint,
    method: spec.method,
    name: spec.path,
    auth: spec.auth,
    pattern: compile(spec.path),
    params: pathParamNames(spec.path),
    handler: handlers[endpoint] as AnyHandler,
  };
});

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong_method'; allow: string[] }
  | { kind: 'none' };

export function matchRoute(method: string, pathname: string): RouteMatch {
  const allow: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    if (route.method === method) {
      const params: Record<string, string> = {};
      route.params.forEach((name, index) => {
        params[name] = match[index + 1] ?? '';
      });
      return { kind: 'found', route, params };
    }
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'wrong_method', allow } : { kind: 'none' };
}
