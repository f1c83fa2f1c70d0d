/** How a disappearing-message timer is named in the header, the menu and its dialog. */
const named: Readonly<Record<number, string>> = {
  3600: '1 hour',
  86400: '1 day',
  604800: '7 days',
  2419200: '4 weeks',
};

export function disappearingLabel(seconds: number | null | undefined): string {
  if (!seconds) return 'Off';
  const known = named[seconds];
  if (known) return known;
  // A timer set elsewhere (the CLI takes any number of seconds): the nearest whole unit.
  if (seconds % 86400 === 0) return `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hours`;
  return `${Math.max(1, Math.round(seconds / 60))} minutes`;
}
