/**
 * Everything that could start markup or end an attribute, so text stays text in HTML and XHTML
 * alike (the SAR export, the FHIR narrative, printed letters).
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
