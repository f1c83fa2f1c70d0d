/** Who is using this PC: one button per staff profile, and a way to add one. */
import type { ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { CardPage } from '../components/CardPage.js';

interface Props {
  profiles: readonly ProfileSummary[];
  onChoose(profile: ProfileSummary): void;
  onCreate(): void;
}

export function ProfilePicker({ profiles, onChoose, onCreate }: Props) {
  return (
    <CardPage title="Who is using Practice Messenger?">
      <p>Choose your profile. Each member of staff has their own, with their own passcode.</p>
      <ul className="profile-list">
        {profiles.map((profile) => (
          <li key={profile.id}>
            <button type="button" className="profile-button" onClick={() => onChoose(profile)}>
              <span className="avatar" aria-hidden="true">
                {initials(profile.displayName)}
              </span>
              {profile.displayName}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="button-secondary" onClick={onCreate}>
        Add a profile for someone new
      </button>
    </CardPage>
  );
}

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}
