import type { SqlDatabase } from '../encrypted-database.js';
import { AttachmentsRepository } from './attachments-repository.js';
import { AuditRepository } from './audit-repository.js';
import { ContactsRepository } from './contacts-repository.js';
import { ConversationsRepository } from './conversations-repository.js';
import { MessagesRepository } from './messages-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { OwnIdentityRepository } from './own-identity-repository.js';
import { SettingsRepository } from './settings-repository.js';

/** Every repository of one profile database, sharing its connection. */
export interface Repositories {
  readonly messages: MessagesRepository;
  readonly conversations: ConversationsRepository;
  readonly contacts: ContactsRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly settings: SettingsRepository;
  readonly ownIdentity: OwnIdentityRepository;
  readonly attachments: AttachmentsRepository;
}

export function createRepositories(db: SqlDatabase): Repositories {
  return {
    messages: new MessagesRepository(db),
    conversations: new ConversationsRepository(db),
    contacts: new ContactsRepository(db),
    outbox: new OutboxRepository(db),
    audit: new AuditRepository(db),
    settings: new SettingsRepository(db),
    ownIdentity: new OwnIdentityRepository(db),
    attachments: new AttachmentsRepository(db),
  };
}
