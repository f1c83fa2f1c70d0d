/**
 * The attachment IPC methods: choosing a file (main's open dialog) or taking one dropped or
 * pasted, holding it until it is sent, the PID guard on its name and caption, and a received
 * file's bytes for an inline image, a save dialog or the system viewer. The renderer never names
 * a path and never sees a key; main never decodes an image (it only reads its header).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPidDetector } from '../../../shared/clinical/pid-detector.js';
import { MessengerError } from '../../../shared/errors.js';
import type { StagedAttachment } from '../../../shared/ipc/attachment-schemas.js';
import { auditImagePidAnswer, checkImagePidAnswer } from '../audit/image-pid-answer.js';
import { auditSentDespitePid, checkPidBeforeSend } from '../audit/pid-send-guard.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import {
  checkAttachment,
  type AttachmentAllowance,
} from '../messaging/attachments/attachment-checks.js';
import { sanitiseFileName } from '../messaging/attachments/file-name.js';
import { extensionOf, type AttachmentType } from '../messaging/attachments/file-type.js';
import { fitsInline, imageDimensions } from '../messaging/attachments/image-dimensions.js';
import { toMessengerError, type MessagingCore } from '../messaging/messaging-core.js';
import type { Policy } from '../policy/policy-schema.js';
import type { PathPicker } from './clinical-handlers.js';
import type { AttachmentHandlers } from './ipc-handlers.js';
import type { ProfileRuntime } from './profile-runtime.js';
import type { StagedFile } from './staged-attachments.js';

/** Opens a file in the system's own viewer (Electron's shell.openPath); never runs anything. */
export interface SystemViewer {
  open(file: string): Promise<void>;
}

export interface AttachmentHandlerContext {
  readonly policy: Policy;
  /** The unlocked profile's runtime; throws `profile_locked` while locked. */
  readonly runtime: () => ProfileRuntime;
  readonly pickPath: PathPicker | null;
  readonly viewer: SystemViewer | null;
}

const typeNames: Record<AttachmentType, string> = {
  'image/jpeg': 'JPEG image',
  'image/png': 'PNG image',
  'image/heic': 'HEIC image',
  'application/pdf': 'PDF document',
  'text/plain': 'Text file',
};

/** Opened in a viewer only if it is one of these; every type that can be stored is, by design. */
const safeToOpen = new Set<string>(Object.keys(typeNames));

export function createAttachmentHandlers(context: AttachmentHandlerContext): AttachmentHandlers {
  const { policy, runtime } = context;
  const detectPid = createPidDetector({ hospitalNumberPatterns: policy.hospitalNumberPatterns });
  const guard = async <T>(work: () => Promise<T> | T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMessengerError(error);
    }
  };
  const allowance = (): AttachmentAllowance => {
    if (!policy.allowAttachments) {
      throw new MessengerError(
        'policy_restricted',
        "Your practice's policy does not allow attachments; send the information as text, or ask your practice manager.",
      );
    }
    return { maxBytes: policy.maxAttachmentMB * 1_048_576, allowedTypes: policy.attachmentTypes };
  };
  const picker = (): PathPicker => {
    if (!context.pickPath) {
      throw new MessengerError(
        'not_implemented',
        'Choosing and saving files needs the desktop app; it is not available here.',
      );
    }
    return context.pickPath;
  };
  const stage = (name: string, bytes: Buffer): StagedAttachment => {
    const type = checkAttachment(bytes, allowance());
    const staged = runtime().staged.add({ name: sanitiseFileName(name, type), type, bytes });
    return stagedView(staged);
  };
  /** The runtime, the core and the message, checked to be in the conversation named. */
  const ofMessage = (conversationId: string, messageId: string) => {
    const current = runtime();
    const core: MessagingCore = current.enrolled();
    const message = current.profile.repositories.messages.get(messageId);
    if (!message || message.conversationId !== conversationId) {
      throw new MessengerError('not_found', 'That message is not in this conversation.');
    }
    return { current, core, message };
  };

  return {
    'attachments.choose': () =>
      guard(async () => {
        const { maxBytes } = allowance();
        const file = await picker().openFile({
          title: 'Attach a file',
          filter: {
            name: 'Images, PDF and text',
            extensions: [...new Set(policy.attachmentTypes.flatMap(extensionsOf))],
          },
        });
        if (file === null) return { staged: null };
        return { staged: stage(path.basename(file), readChosenFile(file, maxBytes)) };
      }),
    'attachments.stage': ({ name, dataBase64 }) =>
      guard(() => ({ staged: stage(name, Buffer.from(dataBase64, 'base64')) })),
    'attachments.discard': ({ stageId }) => {
      runtime().staged.discard(stageId);
      return {};
    },
    'attachments.send': ({
      conversationId,
      stageId,
      caption,
      sendDespitePidWarning,
      imageShowsPatientDetails,
      urgent,
      replyToMessageId,
    }) =>
      guard(async () => {
        const current = runtime();
        const core = current.enrolled();
        const staged = current.staged.get(stageId);
        // The name travels inside the message like the caption: both are checked.
        const kinds = checkPidBeforeSend({
          policy,
          detect: detectPid,
          text: `${staged.name}\n${caption}`,
          sendDespitePid: sendDespitePidWarning,
          howToConfirm: 'choose Send anyway',
        });
        const showsPatientDetails = checkImagePidAnswer(
          policy,
          staged.type,
          imageShowsPatientDetails,
        );
        const message = await core.attachments.send(conversationId, {
          bytes: staged.bytes,
          name: staged.name,
          ...(caption.trim() === '' ? {} : { caption }),
          ...allowance(),
          urgent,
          ...(replyToMessageId ? { replyTo: replyToMessageId } : {}),
        });
        current.staged.discard(stageId);
        auditSentDespitePid(current.profile.repositories.audit, {
          at: message.sentAt,
          actorAccountId: core.account.accountId,
          conversationId,
          messageId: message.id,
          kinds,
          origin: 'app',
          pidGuard: policy.pidGuard,
        });
        if (showsPatientDetails !== null) {
          auditImagePidAnswer(current.profile.repositories.audit, {
            at: message.sentAt,
            actorAccountId: core.account.accountId,
            conversationId,
            messageId: message.id,
            showsPatientDetails,
          });
        }
        return { message: current.views.message(message) };
      }),
    'attachments.content': ({ conversationId, messageId }) =>
      guard(() => {
        const { core } = ofMessage(conversationId, messageId);
        const { record, bytes } = core.attachments.read(messageId);
        const type = record.contentType;
        if (type !== 'image/jpeg' && type !== 'image/png') {
          throw new MessengerError(
            'invalid_input',
            'Only JPEG and PNG images are shown in the conversation; use Open or Save.',
          );
        }
        if (!fitsInline(imageDimensions(bytes, type))) {
          throw new MessengerError(
            'invalid_input',
            'This image is too large (or damaged) to show in the conversation; use Save to look at it.',
          );
        }
        return { type, dataBase64: bytes.toString('base64') };
      }),
    'attachments.save': ({ conversationId, messageId }) =>
      guard(async () => {
        const { core } = ofMessage(conversationId, messageId);
        const { record, bytes } = core.attachments.read(messageId);
        const type = record.contentType as AttachmentType;
        const file = await picker().saveFile({
          title: 'Save the attachment',
          defaultName: sanitiseFileName(record.fileName, type),
          filter: { name: typeNames[type] ?? 'File', extensions: extensionsOf(type) },
        });
        if (file === null) return { saved: false, fileName: null };
        writeFileSync(file, bytes, { mode: 0o600 });
        return { saved: true, fileName: path.basename(file) };
      }),
    'attachments.open': ({ conversationId, messageId }) =>
      guard(async () => {
        if (!context.viewer) {
          throw new MessengerError(
            'not_implemented',
            'Opening files needs the desktop app; use Save instead.',
          );
        }
        const { current, core } = ofMessage(conversationId, messageId);
        const { record, bytes } = core.attachments.read(messageId);
        if (!safeToOpen.has(record.contentType)) {
          throw new MessengerError('forbidden', 'This kind of file cannot be opened; use Save.');
        }
        const type = record.contentType as AttachmentType;
        await context.viewer.open(
          current.opened.write(sanitiseFileName(record.fileName, type), bytes),
        );
        return { opened: true as const };
      }),
    'attachments.retry': ({ conversationId, messageId }) =>
      guard(async () => {
        const { current, core } = ofMessage(conversationId, messageId);
        await core.attachments.retry(messageId);
        const message = current.profile.repositories.messages.get(messageId) as MessageRecord;
        return { message: current.views.message(message) };
      }),
    'attachments.cancel': ({ conversationId, messageId }) =>
      guard(async () => {
        const { current, core } = ofMessage(conversationId, messageId);
        await core.attachments.cancel(messageId);
        const message = current.profile.repositories.messages.get(messageId) as MessageRecord;
        return { message: current.views.message(message) };
      }),
  };
}

function stagedView(staged: StagedFile): StagedAttachment {
  const inline =
    (staged.type === 'image/jpeg' || staged.type === 'image/png') &&
    fitsInline(imageDimensions(staged.bytes, staged.type));
  return {
    stageId: staged.stageId,
    name: staged.name,
    type: staged.type,
    size: staged.bytes.length,
    imageBase64: inline ? staged.bytes.toString('base64') : null,
  };
}

function extensionsOf(type: string): string[] {
  if (type === 'image/jpeg') return ['jpg', 'jpeg'];
  return [extensionOf[type as AttachmentType] ?? 'bin'];
}

/** The file the user chose in the open dialog, with a clear error when it cannot be sent. */
function readChosenFile(file: string, maxBytes: number): Buffer {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    throw new MessengerError('not_found', 'The file you chose cannot be read; choose another.');
  }
  if (size > maxBytes) {
    throw new MessengerError(
      'invalid_input',
      `The file is ${(size / 1_048_576).toFixed(1)} MB; the practice allows attachments up to ${maxBytes / 1_048_576} MB.`,
    );
  }
  return readFileSync(file);
}
