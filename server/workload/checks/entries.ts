/** The entries of a top-level list that are mappings, with their index; nothing when the section is not a list. */
export function entriesOf(doc: unknown, section: string): Array<{ index: number; entry: Record<string, unknown> }> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const list = (doc as Record<string, unknown>)[section];
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry, index) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? [{ index, entry: entry as Record<string, unknown> }] : [],
  );
}
