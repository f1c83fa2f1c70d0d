import { createHash } from 'node:crypto';
import { roleManagerRoles, type RoleEntry } from '../../shared/protocol/index.js';
import type { DeviceRecord } from '../storage/relay-storage.js';
import { RelayError } from '../relay-error.js';
import type { Handler } from '../http/handlers.js';
import type { RoleView } from './role-store.js';

// The duty-role endpoints (docs/protocol.md §14). Roles and holders are metadata the relay
// routes on; an alert's held copies are ciphertext, and its acknowledgement token is opaque.

export function roleEntry(role: RoleView): RoleEntry {
  return {
    roleId: role.roleId,
    name: role.name,
    escalateAfterMs: role.escalateAfterMs,
    escalateTo: role.escalateTo,
    holders: role.holders.map((h) => ({ accountId: h.accountId, since: h.since })),
  };
}

function requireRoleManager(device: DeviceRecord): void {
  if (!(roleManagerRoles as readonly string[]).includes(device.account.role)) {
    throw new RelayError(
      'forbidden',
      `Only ${roleManagerRoles.join(' and ')} accounts may create or delete duty roles.`,
    );
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

export const roles: Handler<'roles'> = async (services, { device }) => ({
  status: 200,
  body: { roles: (await services.roles.listRoles(device.account.org)).map(roleEntry) },
});

export const createRole: Handler<'createRole'> = async (services, { device, body }) => {
  requireRoleManager(device);
  const role = await services.roles.createRole({
    org: device.account.org,
    name: body.name,
    escalateAfterMs: body.escalateAfterMs ?? null,
    escalateTo: body.escalateToRoleId ?? null,
    now: services.clock(),
  });
  services.logger.info('role_created', { roleId: role.roleId, by: device.accountId });
  return { status: 201, body: roleEntry(role) };
};

export const deleteRole: Handler<'deleteRole'> = async (services, { device, params }) => {
  requireRoleManager(device);
  await services.roles.deleteRole(device.account.org, params.roleId);
  services.logger.info('role_deleted', { roleId: params.roleId, by: device.accountId });
  return { status: 200, body: { deleted: true } };
};

export const duty: Handler<'duty'> = async (services, { device, params, body }) => {
  const role = await services.roles.setDuty(
    device.account.org,
    params.roleId,
    device.accountId,
    body.onDuty,
    services.clock(),
  );
  services.logger.info(body.onDuty ? 'duty_started' : 'duty_stopped', {
    roleId: role.roleId,
    accountId: device.accountId,
  });
  return { status: 200, body: roleEntry(role) };
};

export const createAlert: Handler<'createAlert'> = async (services, { device, body }) => {
  const state = await services.roles.createAlert({
    org: device.account.org,
    alertId: body.alertId,
    roleId: body.roleId,
    senderAccountId: device.accountId,
    senderDeviceId: device.deviceId,
    tokenHash: Buffer.from(body.tokenHash, 'base64'),
    copies: body.copies,
    recipients: body.recipients ?? [],
    now: services.clock(),
  });
  services.escalations.rearm();
  return { status: 200, body: state };
};

export const ackAlert: Handler<'ackAlert'> = async (services, { device, body }) => {
  const state = await services.roles.ackAlert(
    device.account.org,
    body.alertId,
    sha256(Buffer.from(body.token, 'base64')),
    device.accountId,
    services.clock(),
  );
  return { status: 200, body: state };
};

export const alertStatus: Handler<'alertStatus'> = async (services, { device, body }) => ({
  status: 200,
  body: {
    alerts: await services.roles.alertStates(device.account.org, device.accountId, body.alertIds),
  },
});

export const alertCheck: Handler<'alertCheck'> = async (services, { device, body }) => ({
  status: 200,
  body: {
    alerts: await services.roles.checkAlerts(
      device.account.org,
      device.accountId,
      body.alerts.map((a) => ({
        alertId: a.alertId,
        tokenHash: sha256(Buffer.from(a.token, 'base64')),
      })),
    ),
  },
});

export const alertReseal: Handler<'alertReseal'> = async (services, { device, body }) => {
  const result = await services.roles.reseal({
    org: device.account.org,
    alertId: body.alertId,
    tokenHash: sha256(Buffer.from(body.token, 'base64')),
    sender: { accountId: device.accountId, deviceId: device.deviceId },
    copies: body.copies,
    caps: services.limits,
    now: services.clock(),
  });
  for (const devicePk of result.devicePks) services.delivery.notify(devicePk);
  if (result.delivered.length > 0) {
    services.logger.info('role_alert_resealed', {
      alertId: body.alertId,
      by: device.accountId,
      accounts: result.delivered.length,
    });
  }
  return {
    status: 200,
    body: {
      state: result.state,
      delivered: result.delivered,
      skipped: result.skipped,
      queueFull: result.queueFull,
    },
  };
};
