/** Exporting one conversation for a Subject Access Request (the passcode asked again). */
import type { MethodResponse } from '../../../../shared/ipc/contract.js';
import { messenger } from '../../api.js';
import { useSarExport } from './useSarExport.js';

export type Exported = MethodResponse<'export.conversation'>;

export function useConversationExport(conversationId: string) {
  return useSarExport<Exported>((credentials) =>
    messenger().export.conversation({ conversationId, ...credentials }),
  );
}
