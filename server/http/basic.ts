/** Reads HTTP Basic `id:secret` (RFC 7617), as gateways authenticate their downloads. */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i > 0 ? { id: text.slice(0, i), secret: text.slice(i + 1) } : null;
}
