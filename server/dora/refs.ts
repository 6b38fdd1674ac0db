/**
 * Resolving the references events make to each other (`attrs.deployment` on an incident,
 * `attrs.incident` on a review or action item). A reference is, in this order:
 * 1. `source:externalId` of an event of the expected kind;
 * 2. an `externalId` alone (several sources using the same id: the one of the referrer's
 *    service, else the latest);
 * 3. for deployments only, a commit sha (7–64 hex digits, a prefix is enough): the first
 *    deployment that shipped it — the Four Keys way of naming an incident's root cause.
 * An external id may itself contain `:` (the git collector's `tag:v1.2`), which is why the
 * composite form is only tried as a whole.
 */

interface Referable {
  source: string;
  externalId: string;
  service?: string;
}

const SHA = /^[0-9a-f]{7,64}$/i;

export class RefIndex<T extends Referable> {
  private readonly byKey = new Map<string, T>();
  private readonly byExternalId = new Map<string, T[]>();
  /** Built on the first sha lookup: most runs resolve no sha, and it is the largest map. */
  private bySha: Map<string, T> | undefined;

  /** `items` oldest first: for duplicate external ids and shas the latest and the first win respectively. */
  constructor(
    private readonly items: readonly T[],
    private readonly shasOf?: (item: T) => Iterable<string>,
  ) {
    for (const item of items) {
      this.byKey.set(`${item.source}:${item.externalId}`, item);
      const list = this.byExternalId.get(item.externalId);
      if (list) list.push(item);
      else this.byExternalId.set(item.externalId, [item]);
    }
  }

  resolve(ref: string, service?: string): T | undefined {
    const exact = this.byKey.get(ref);
    if (exact) return exact;
    const list = this.byExternalId.get(ref);
    if (list && list.length > 0) return list.filter((i) => service !== undefined && i.service === service).at(-1) ?? list.at(-1);
    if (this.shasOf && SHA.test(ref)) {
      const bySha = this.shaIndex();
      const k = ref.toLowerCase();
      const full = bySha.get(k);
      if (full) return full;
      for (const [sha, item] of bySha) if (sha.startsWith(k)) return item;
    }
    return undefined;
  }

  private shaIndex(): Map<string, T> {
    if (this.bySha) return this.bySha;
    const bySha = new Map<string, T>();
    for (const item of this.items) {
      for (const sha of this.shasOf!(item)) {
        const k = sha.toLowerCase();
        if (!bySha.has(k)) bySha.set(k, item);
      }
    }
    return (this.bySha = bySha);
  }
}
