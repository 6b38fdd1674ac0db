/** A value's place in the workload file: keys and list indexes from the top, e.g. ["collectors", 2, "interval"]. */
export type Path = ReadonlyArray<string | number>;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `collectors[2].queries.up`; keys that are not identifier-like are quoted,
 * `labels["app.kubernetes.io/name"]`, so the text can't be misread. The top is "".
 */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** True when `prefix` is `path` or one of its ancestors. */
export function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => seg === path[i]);
}
