/**
 * THE relay's HTTP endpoints: method, path, authentication, and the zod schemas of the request
 * body and the answer — the relay's counterpart of shared/ipc/contract.ts. The relay routes
 * exactly these (server/http/router.ts) and the client calls them by name
 * (main/core/messaging/relay/relay-http.ts), so neither spells a path. docs/protocol.md
 * describes each one; a conformance test keeps the three in step.
 */
import type { z } from 'zod';
import { batchSendRequestSchema, batchSendResponseSchema } from './batch-send-schemas.js';
import {
  auditAppendRequestSchema,
  auditAppendResponseSchema,
  auditReadersResponseSchema,
  auditReadRequestSchema,
  auditReadResponseSchema,
  auditVerifyResponseSchema,
  patientKeyHoldersResponseSchema,
  patientKeysResponseSchema,
  patientKeysUploadRequestSchema,
  patientKeysUploadResponseSchema,
  wipeReportRequestSchema,
  wipeReportResponseSchema,
} from './audit.js';
import {
  directoryEntrySchema,
  directoryResponseSchema,
  enrolRequestSchema,
  enrolResponseSchema,
  healthResponseSchema,
  keysUploadRequestSchema,
  meResponseSchema,
  ownDevicesResponseSchema,
  preKeyBundleResponseSchema,
  preKeyCountResponseSchema,
  removeDeviceResponseSchema,
  sendMessageRequestSchema,
  sendMessageResponseSchema,
} from './schemas.js';
import {
  attachmentChunkSchema,
  attachmentFetchedResponseSchema,
  attachmentStatusSchema,
  createAttachmentRequestSchema,
  putChunkResponseSchema,
} from './attachment-schemas.js';
import {
  createLinkRequestSchema,
  currentLinkResponseSchema,
  decideLinkRequestSchema,
  linkViewSchema,
  redeemLinkRequestSchema,
  redeemLinkResponseSchema,
} from './link-schemas.js';
import { multiSendRequestSchema, multiSendResponseSchema } from './multi-send-schemas.js';
import {
  ackAlertRequestSchema,
  alertStateSchema,
  alertStatusRequestSchema,
  alertStatusResponseSchema,
  alertCheckRequestSchema,
  alertCheckResponseSchema,
  alertResealRequestSchema,
  alertResealResponseSchema,
  createAlertRequestSchema,
  createRoleRequestSchema,
  deleteRoleResponseSchema,
  dutyRequestSchema,
  roleEntrySchema,
  rolesResponseSchema,
} from './roles.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT';

/** `none`: anyone may call. `device`: `Authorization: Bearer <token>` of an active device (§1.2). */
export type EndpointAuth = 'none' | 'device';

export interface EndpointSpec<
  Path extends string = string,
  Auth extends EndpointAuth = EndpointAuth,
  Req extends z.ZodType | null = z.ZodType | null,
  Res extends z.ZodType = z.ZodType,
> {
  readonly method: HttpMethod;
  /** The path template: `{name}` is one segment, matched by `pathParamPatterns[name]`. */
  readonly path: Path;
  readonly auth: Auth;
  /** The JSON body's schema; null for endpoints that take no body. */
  readonly request: Req;
  readonly response: Res;
}

function endpoint<
  Path extends string,
  Auth extends EndpointAuth,
  Req extends z.ZodType | null,
  Res extends z.ZodType,
>(
  method: HttpMethod,
  path: Path,
  auth: Auth,
  request: Req,
  response: Res,
): EndpointSpec<Path, Auth, Req, Res> {
  return { method, path, auth, request, response };
}

/** What each path parameter may be; anything else is not a path of this protocol (404). */
export const pathParamPatterns = {
  accountId: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  /** Up to three digits; the relay then checks the range 1..127 and says so. */
  deviceId: '[0-9]{1,3}',
  /** Random, chosen by the relay (attachment-schemas.ts). */
  attachmentId: '[A-Za-z0-9_-]{22,43}',
  /** Up to five digits; the relay then checks it against the blob's chunk count. */
  chunkIndex: '[0-9]{1,5}',
  /** A duty role (roles.ts): a lowercase UUID chosen by the relay. */
  roleId: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
} as const;

export type PathParamName = keyof typeof pathParamPatterns;

export const endpoints = {
  health: endpoint('GET', '/v1/health', 'none', null, healthResponseSchema),
  enrol: endpoint('POST', '/v1/enrol', 'none', enrolRequestSchema, enrolResponseSchema),
  me: endpoint('GET', '/v1/me', 'device', null, meResponseSchema),
  /** The caller's own account's active devices (§2a). */
  ownDevices: endpoint('GET', '/v1/devices', 'device', null, ownDevicesResponseSchema),
  /** Revokes another device of the caller's own account, with remote wipe (§2a). */
  removeDevice: endpoint(
    'POST',
    '/v1/devices/{deviceId}/remove',
    'device',
    null,
    removeDeviceResponseSchema,
  ),
  /** A link code for a new PC of the caller's person (§2b); replaces the device's earlier one. */
  createLink: endpoint('POST', '/v1/links', 'device', createLinkRequestSchema, linkViewSchema),
  /** The caller's current link: who is asking to join, and its state. */
  currentLink: endpoint('GET', '/v1/links', 'device', null, currentLinkResponseSchema),
  /** Approves or refuses the PC that asked with the caller's link code. */
  decideLink: endpoint(
    'POST',
    '/v1/links/decide',
    'device',
    decideLinkRequestSchema,
    linkViewSchema,
  ),
  /** A new PC enrols with a link code's lookup; repeated while it waits for approval. */
  redeemLink: endpoint(
    'POST',
    '/v1/links/redeem',
    'none',
    redeemLinkRequestSchema,
    redeemLinkResponseSchema,
  ),
  directory: endpoint('GET', '/v1/directory', 'device', null, directoryResponseSchema),
  account: endpoint('GET', '/v1/accounts/{accountId}', 'device', null, directoryEntrySchema),
  keyCount: endpoint('GET', '/v1/keys/count', 'device', null, preKeyCountResponseSchema),
  uploadKeys: endpoint(
    'PUT',
    '/v1/keys',
    'device',
    keysUploadRequestSchema,
    preKeyCountResponseSchema,
  ),
  /** Every active device's bundle. */
  bundles: endpoint('GET', '/v1/keys/{accountId}', 'device', null, preKeyBundleResponseSchema),
  /** One device's bundle (after `stale_devices`, or for a device added later). */
  deviceBundle: endpoint(
    'GET',
    '/v1/keys/{accountId}/{deviceId}',
    'device',
    null,
    preKeyBundleResponseSchema,
  ),
  sendMessage: endpoint(
    'PUT',
    '/v1/messages/{accountId}',
    'device',
    sendMessageRequestSchema,
    sendMessageResponseSchema,
  ),
  /** One sender-key ciphertext for the devices of many accounts (a group message, §5b). */
  sendMulti: endpoint(
    'PUT',
    '/v1/messages/multi-recipient',
    'device',
    multiSendRequestSchema,
    multiSendResponseSchema,
  ),
  /** Several 1:1 sends in one request, each checked and answered on its own (§5c). */
  sendBatch: endpoint(
    'PUT',
    '/v1/messages/batch',
    'device',
    batchSendRequestSchema,
    batchSendResponseSchema,
  ),
  /** The practice's audit readers' devices, to seal audit records to (§13). */
  auditReaders: endpoint('GET', '/v1/audit/readers', 'device', null, auditReadersResponseSchema),
  /** Appends this device's sealed audit records to the practice trail. */
  auditAppend: endpoint(
    'POST',
    '/v1/audit',
    'device',
    auditAppendRequestSchema,
    auditAppendResponseSchema,
  ),
  /** A page of the practice trail; audit readers (manager, admin) only. */
  auditRead: endpoint(
    'POST',
    '/v1/audit/read',
    'device',
    auditReadRequestSchema,
    auditReadResponseSchema,
  ),
  /** The relay's own check of the chain; audit readers only. */
  auditVerify: endpoint('GET', '/v1/audit/verify', 'device', null, auditVerifyResponseSchema),
  /** A device wiped after wrong passcodes says so, with its token's hash (§13.2). */
  wipeReport: endpoint(
    'POST',
    '/v1/devices/wipe-report',
    'none',
    wipeReportRequestSchema,
    wipeReportResponseSchema,
  ),
  /** This device's sealed copies of the practice's patient-reference key (§13.1). */
  patientKeys: endpoint('GET', '/v1/audit/patient-keys', 'device', null, patientKeysResponseSchema),
  /** The devices that should hold the patient-reference key, and the versions each holds. */
  patientKeyHolders: endpoint(
    'GET',
    '/v1/audit/patient-key-holders',
    'device',
    null,
    patientKeyHoldersResponseSchema,
  ),
  /** Stores sealed copies of one key version: a first key, a rotation, or a share to new devices. */
  uploadPatientKeys: endpoint(
    'POST',
    '/v1/audit/patient-keys',
    'device',
    patientKeysUploadRequestSchema,
    patientKeysUploadResponseSchema,
  ),
  /** Attachment blobs (§5a): ciphertext only, chunked so uploads and downloads resume. */
  createAttachment: endpoint(
    'POST',
    '/v1/attachments',
    'device',
    createAttachmentRequestSchema,
    attachmentStatusSchema,
  ),
  attachmentStatus: endpoint(
    'GET',
    '/v1/attachments/{attachmentId}',
    'device',
    null,
    attachmentStatusSchema,
  ),
  putAttachmentChunk: endpoint(
    'PUT',
    '/v1/attachments/{attachmentId}/chunks/{chunkIndex}',
    'device',
    attachmentChunkSchema,
    putChunkResponseSchema,
  ),
  finishAttachment: endpoint(
    'POST',
    '/v1/attachments/{attachmentId}/finish',
    'device',
    null,
    attachmentStatusSchema,
  ),
  getAttachmentChunk: endpoint(
    'GET',
    '/v1/attachments/{attachmentId}/chunks/{chunkIndex}',
    'device',
    null,
    attachmentChunkSchema,
  ),
  attachmentFetched: endpoint(
    'POST',
    '/v1/attachments/{attachmentId}/fetched',
    'device',
    null,
    attachmentFetchedResponseSchema,
  ),
  /** A recipient device will not fetch the blob (its message was deleted first). */
  attachmentDeclined: endpoint(
    'POST',
    '/v1/attachments/{attachmentId}/declined',
    'device',
    null,
    attachmentFetchedResponseSchema,
  ),
  /** Duty roles of the caller's organisation with their current holders (§14). */
  roles: endpoint('GET', '/v1/roles', 'device', null, rolesResponseSchema),
  /** Creates a role; managers and admins only. */
  createRole: endpoint('PUT', '/v1/roles', 'device', createRoleRequestSchema, roleEntrySchema),
  /** Deletes a role; managers and admins only. */
  deleteRole: endpoint(
    'POST',
    '/v1/roles/{roleId}/delete',
    'device',
    null,
    deleteRoleResponseSchema,
  ),
  /** The caller starts or stops being on duty in a role. */
  duty: endpoint('POST', '/v1/roles/{roleId}/duty', 'device', dutyRequestSchema, roleEntrySchema),
  /** Registers a message to a role with its sealed escalation copies, held until acknowledged. */
  createAlert: endpoint('POST', '/v1/alerts', 'device', createAlertRequestSchema, alertStateSchema),
  /** Acknowledges a message to a role with the token from inside it; a repeat is harmless. */
  ackAlert: endpoint('POST', '/v1/alerts/ack', 'device', ackAlertRequestSchema, alertStateSchema),
  /** The acknowledgement and escalation state of the caller's own alerts. */
  alertStatus: endpoint(
    'POST',
    '/v1/alerts/status',
    'device',
    alertStatusRequestSchema,
    alertStatusResponseSchema,
  ),
  /** A device that has a message to a role (its token) learns its state and who lacks a copy. */
  alertCheck: endpoint(
    'POST',
    '/v1/alerts/check',
    'device',
    alertCheckRequestSchema,
    alertCheckResponseSchema,
  ),
  /** Such a device re-seals an escalated message to escalation holders who have no copy. */
  alertReseal: endpoint(
    'POST',
    '/v1/alerts/reseal',
    'device',
    alertResealRequestSchema,
    alertResealResponseSchema,
  ),
} as const;

/** Not in the table: a WebSocket upgrade, not a JSON request (docs/protocol.md §6). */
export const webSocketPath = '/v1/websocket';

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

type ParamNamesOf<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNamesOf<Rest>
  : never;
export type EndpointParamName<N extends EndpointName> = ParamNamesOf<Endpoints[N]['path']>;

/** The path parameters a caller fills in. */
export type EndpointParams<N extends EndpointName> = {
  readonly [K in EndpointParamName<N>]: string | number;
};
/** The body a caller sends (before defaults); `undefined` for endpoints without one. */
export type EndpointRequest<N extends EndpointName> = Endpoints[N]['request'] extends z.ZodType
  ? z.input<Endpoints[N]['request']>
  : undefined;
/** The body the relay parsed (defaults applied). */
export type ParsedEndpointRequest<N extends EndpointName> =
  Endpoints[N]['request'] extends z.ZodType ? z.output<Endpoints[N]['request']> : undefined;
export type EndpointResponse<N extends EndpointName> = z.output<Endpoints[N]['response']>;

export const endpointNames = Object.keys(endpoints) as EndpointName[];

/** The parameter names of a path template, in order. */
export function pathParamNames(path: string): PathParamName[] {
  return [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1] as PathParamName);
}

/**
 * The concrete path of a call, each `{name}` replaced by its value. Values are escaped, not
 * checked: a value outside its pattern reaches the relay, which answers 404 as for any unknown path.
 */
export function endpointPath<N extends EndpointName>(name: N, params: EndpointParams<N>): string {
  const values = params as Readonly<Record<string, string | number>>;
  return endpoints[name].path.replace(/\{([A-Za-z]+)\}/g, (_whole, param: string) =>
    encodeURIComponent(String(values[param])),
  );
}
