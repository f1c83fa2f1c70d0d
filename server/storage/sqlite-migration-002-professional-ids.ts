/**
 * Migration 2: the professional identifiers a practice may record at enrolment (`pmsg relay enrol
 * --gmc --nmc --sds-user-id`), returned in the directory so a clinician's record entries name
 * them as the NHS does. Nullable: most staff have none.
 */
export const migration002ProfessionalIds = `
  ALTER TABLE accounts ADD COLUMN gmc_number TEXT;
  ALTER TABLE accounts ADD COLUMN nmc_pin TEXT;
  ALTER TABLE accounts ADD COLUMN sds_user_id TEXT;
`;
