/**
 * Answers from main that several screens pass down. Kept here, apart from the components that
 * fetch them, so a dialog needing a type does not import the screen that renders it (App ->
 * Messenger -> SettingsDialog -> App was such a circle).
 */
import type { MethodResponse } from '../../shared/ipc/contract.js';

/** Product name, version and licence, for About. */
export type AppInfo = MethodResponse<'app.info'>;

/** The enrolled account of the unlocked profile: who the user is and which relay. */
export type Account = MethodResponse<'account.get'>;
