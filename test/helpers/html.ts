/** The visible text of an HTML fragment (tags dropped, entities decoded, spaces collapsed). */
export function text(html: string) {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The texts of the elements with the given role. */
export function byRole(html: string, role: 'alert' | 'status') {
  return [...html.matchAll(new RegExp(`<(\\w+)[^>]*role="${role}"[^>]*>([\\s\\S]*?)</\\1>`, 'g'))].map((m) =>
    text(m[2] ?? ''),
  );
}
