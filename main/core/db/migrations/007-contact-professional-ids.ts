import type { Migration } from '../migration.js';

/**
 * The practice directory may carry a member of staff's GMC number, NMC PIN and SDS user id
 * (recorded at enrolment on the relay), so a FHIR record entry names the clinician as the NHS
 * does. Nullable: most staff have none, and older relays send none.
 */
export const migration007ContactProfessionalIds: Migration = {
  id: 7,
  name: 'contact-professional-ids',
  up(db) {
    db.exec(`
      ALTER TABLE contacts ADD COLUMN gmc_number TEXT;
      ALTER TABLE contacts ADD COLUMN nmc_pin TEXT;
      ALTER TABLE contacts ADD COLUMN sds_user_id TEXT;
    `);
  },
};
