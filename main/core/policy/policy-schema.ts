/**
 * The managed policy IT pushes to every PC: one JSON object, every key optional, unknown keys
 * refused. `policyKeys` describes each key in words; the loader quotes it when a value is wrong
 * and docs/deployment.md lists the same keys (a test keeps the two in step). This file is the one
 * source of the policy: the Group Policy templates (ADMX/ADML) and the sample macOS configuration
 * profile are generated from it (`npm run policy:templates`), and a test fails when they drift.
 */
import { z } from 'zod';
import { compileHospitalNumberPatterns } from '../../../shared/clinical/hospital-number-patterns.js';
import { notificationPrivacyLevels } from '../../../shared/notification-privacy.js';

/**
 * Why the PID detector would refuse this pattern, or null: the very compile the detector runs
 * (same flags, same refusal of catastrophic shapes), so a pattern that passes here also works.
 */
function hospitalPatternProblem(source: string): string | null {
  try {
    compileHospitalNumberPatterns([source]);
    return null;
  } catch (error) {
    return (error as Error).message.replace(
      /^Hospital number pattern 1 in the practice policy /,
      '',
    );
  }
}

function isAllowedServerUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Plain http only to this machine (a relay on loopback for testing); TLS everywhere else.
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
  );
}

/** One relay URL, or a hosted relay's several nodes separated by commas (tried in order). */
function isAllowedServerUrlList(value: string): boolean {
  const parts = value.split(/[\s,]+/).filter((part) => part !== '');
  return parts.length >= 1 && parts.length <= 8 && parts.every(isAllowedServerUrl);
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hash === '' && url.search === '';
  } catch {
    return false;
  }
}

export const policyKeys = {
  serverUrl: {
    title: 'Relay URL',
    allowed:
      'null, an https:// URL (http:// only for localhost), or up to 8 such URLs separated by commas (the nodes of a hosted relay, tried in order)',
    schema: z
      .string()
      .max(2048)
      .refine(
        isAllowedServerUrlList,
        'must be https:// URLs (http:// only for localhost), at most 8, separated by commas',
      )
      .nullable()
      .default(null),
  },
  serverCertificateSha256: {
    title: 'Relay certificate pin (SHA-256)',
    allowed: 'null or the SHA-256 of the relay certificate: 64 hex digits, colons allowed',
    schema: z
      .string()
      .transform((value) => value.replaceAll(':', '').toLowerCase())
      .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'))
      .nullable()
      .default(null),
  },
  lockTimeoutMinutes: {
    title: 'Lock after minutes without input',
    allowed: 'a whole number of minutes from 1 to 60',
    schema: z.number().int().min(1).max(60).default(5),
  },
  notificationPrivacy: {
    title: 'Most a notification may reveal',
    allowed: `one of ${notificationPrivacyLevels.map((l) => `"${l}"`).join(', ')}`,
    schema: z.enum(notificationPrivacyLevels).default('sender_and_text'),
  },
  pidGuard: {
    title: 'Patient-identifiable data in a message',
    allowed: '"warn" or "block"',
    schema: z.enum(['warn', 'block']).default('warn'),
  },
  retentionDays: {
    title: 'Delete messages after days',
    allowed: 'null or a whole number of days from 1 to 3650',
    schema: z.number().int().min(1).max(3650).nullable().default(30),
  },
  retentionWarningDays: {
    title: 'Warn about advice not in the record, days before deletion',
    allowed: 'a whole number of days from 0 to 365 (0: no warning)',
    schema: z.number().int().min(0).max(365).default(7),
  },
  maxPasscodeAttempts: {
    title: 'Wipe the profile after wrong passcodes',
    allowed: 'null or a whole number from 3 to 100',
    schema: z.number().int().min(3).max(100).nullable().default(null),
  },
  contentProtection: {
    title: 'Block screenshots and screen sharing',
    allowed: 'true or false',
    schema: z.boolean().default(false),
  },
  allowExport: {
    title: 'Allow exporting conversations',
    allowed: 'true or false',
    schema: z.boolean().default(false),
  },
  hospitalNumberPatterns: {
    title: 'Hospital number patterns',
    allowed:
      'a list of up to 20 regular expressions (JavaScript syntax, up to 200 characters each)',
    schema: z
      .array(
        z
          .string()
          .min(1)
          .max(200)
          .superRefine((source, ctx) => {
            const problem = hospitalPatternProblem(source);
            if (problem)
              ctx.addIssue({
                code: 'custom',
                message: `must be a valid regular expression that the PID guard can use: it ${problem}`,
              });
          }),
      )
      .max(20)
      .default([]),
  },
  recordIdentifierBase: {
    title: 'Base URL of the practice FHIR identifiers',
    allowed:
      'null or an https:// URL the practice controls (no query or fragment), the base of its own FHIR identifier systems',
    schema: z
      .string()
      .max(200)
      .refine(isHttpsUrl, 'must be an https:// URL without a query or fragment')
      .transform((value) => value.replace(/\/+$/, ''))
      .nullable()
      .default(null),
  },
  clipboardClearSeconds: {
    title: 'Clear a copied record entry after seconds',
    allowed: 'a whole number of seconds from 10 to 600',
    schema: z.number().int().min(10).max(600).default(120),
  },
  allowAttachments: {
    title: 'Allow attachments',
    allowed: 'true or false',
    schema: z.boolean().default(true),
  },
  maxAttachmentMB: {
    title: 'Largest attachment (MB)',
    allowed: 'a whole number of megabytes from 1 to 100',
    schema: z.number().int().min(1).max(100).default(25),
  },
  attachmentTypes: {
    title: 'Attachment types allowed',
    allowed:
      'a list of "image/jpeg", "image/png", "image/heic", "application/pdf", "text/plain" (decided from the bytes)',
    schema: z
      .array(z.enum(['image/jpeg', 'image/png', 'image/heic', 'application/pdf', 'text/plain']))
      .max(5)
      .default(['image/jpeg', 'image/png', 'image/heic', 'application/pdf']),
  },
  askImagePatientDetails: {
    title: 'Ask whether an image shows patient details before sending it',
    allowed: 'true or false',
    schema: z.boolean().default(true),
  },
  maxDevicesPerPerson: {
    title: 'Most PCs one person may link themselves',
    allowed: 'a whole number from 1 to 127 (the relay may allow fewer: it decides)',
    schema: z.number().int().min(1).max(127).default(5),
  },
  linkWithoutApproval: {
    title: 'Let a link code alone add a PC, without approval on the first PC',
    allowed: 'true or false',
    schema: z.boolean().default(false),
  },
} as const;

export type PolicyKey = keyof typeof policyKeys;

export const policySchema = z.strictObject({
  serverUrl: policyKeys.serverUrl.schema,
  serverCertificateSha256: policyKeys.serverCertificateSha256.schema,
  lockTimeoutMinutes: policyKeys.lockTimeoutMinutes.schema,
  notificationPrivacy: policyKeys.notificationPrivacy.schema,
  pidGuard: policyKeys.pidGuard.schema,
  retentionDays: policyKeys.retentionDays.schema,
  retentionWarningDays: policyKeys.retentionWarningDays.schema,
  maxPasscodeAttempts: policyKeys.maxPasscodeAttempts.schema,
  contentProtection: policyKeys.contentProtection.schema,
  allowExport: policyKeys.allowExport.schema,
  hospitalNumberPatterns: policyKeys.hospitalNumberPatterns.schema,
  recordIdentifierBase: policyKeys.recordIdentifierBase.schema,
  clipboardClearSeconds: policyKeys.clipboardClearSeconds.schema,
  allowAttachments: policyKeys.allowAttachments.schema,
  maxAttachmentMB: policyKeys.maxAttachmentMB.schema,
  attachmentTypes: policyKeys.attachmentTypes.schema,
  askImagePatientDetails: policyKeys.askImagePatientDetails.schema,
  maxDevicesPerPerson: policyKeys.maxDevicesPerPerson.schema,
  linkWithoutApproval: policyKeys.linkWithoutApproval.schema,
} satisfies { [K in PolicyKey]: (typeof policyKeys)[K]['schema'] });

export type Policy = z.output<typeof policySchema>;

export const defaultPolicy: Policy = policySchema.parse({});
