/** A person's initials in a circle coloured by their role; the name is said beside it. */
import { initials, roleTone } from '../logic/people.js';

interface Props {
  name: string;
  role: string | null | undefined;
  size?: 'small' | 'large';
}

export function Avatar({ name, role, size }: Props) {
  return (
    <span
      className={`avatar ${roleTone(role)}${size === 'small' ? ' avatar-small' : ''}`}
      aria-hidden="true"
    >
      {initials(name)}
    </span>
  );
}
