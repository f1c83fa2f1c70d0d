import type { Migration } from '../migration.js';
import { migration001Initial } from './001-initial.js';
import { migration002Messaging } from './002-messaging.js';
import { migration003ListAndExpiryIndexes } from './003-list-and-expiry-indexes.js';
import { migration004MessageNotices } from './004-message-notices.js';
import { migration005TombstoneConversation } from './005-tombstone-conversation.js';
import { migration006PendingTranscriptions } from './006-pending-transcriptions.js';
import { migration007ContactProfessionalIds } from './007-contact-professional-ids.js';
import { migration008Attachments } from './008-attachments.js';
import { migration009DeviceIdentities } from './009-device-identities.js';
import { migration010Groups } from './010-groups.js';
import { migration011RoleMessages } from './011-role-messages.js';
import { migration012MessageSearchIndex } from './012-message-search-index.js';
import { migration013RoleHistory } from './013-role-history.js';
import { migration014UnreadCounts } from './014-unread-counts.js';
import { migration015EarlyReceipts } from './015-early-receipts.js';
import { migration016OutboxSealedEnvelopes } from './016-outbox-sealed-envelopes.js';

/** Every shipped migration, in order. Append only. */
export const migrations: readonly Migration[] = [
  migration001Initial,
  migration002Messaging,
  migration003ListAndExpiryIndexes,
  migration004MessageNotices,
  migration005TombstoneConversation,
  migration006PendingTranscriptions,
  migration007ContactProfessionalIds,
  migration008Attachments,
  migration009DeviceIdentities,
  migration010Groups,
  migration011RoleMessages,
  migration012MessageSearchIndex,
  migration013RoleHistory,
  migration014UnreadCounts,
  migration015EarlyReceipts,
  migration016OutboxSealedEnvelopes,
];
