import { h } from '../dom.js';

/** A table with a caption and header row; returns the parts a view fills. */
export function table(caption: string, columns: Array<[string, string?]>): { wrap: HTMLElement; tbody: HTMLTableSectionElement; more: HTMLElement } {
  const tbody = h('tbody');
  const t = h(
    'table',
    { class: 'data' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', null, h('tr', null, ...columns.map(([label, cls]) => h('th', { scope: 'col', class: cls ?? null }, label)))),
    tbody,
  );
  const more = h('p', { class: 'more-note', hidden: true });
  return { wrap: h('div', { class: 'table-wrap' }, t), tbody, more };
}
