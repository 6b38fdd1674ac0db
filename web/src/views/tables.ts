import { h } from '../dom.js';

/** A table with a caption and header row; returns the parts a view fills. */
export function table(caption: string, columns: Array<[string, string?]>): { wrap: HTMLElement; tbody: HTMLTableSectionElement; more: HTMLElement; label: () => void } {
  const tbody = h('tbody');
  const t = h(
    'table',
    { class: 'data' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', null, h('tr', null, ...columns.map(([label, cls]) => h('th', { scope: 'col', class: cls ?? null }, label)))),
    tbody,
  );
  const more = h('p', { class: 'more-note', hidden: true });
  // Each cell named by its column (data-label), for the stacked rows of a phone (layout.css).
  const label = () => {
    for (const row of tbody.rows) {
      [...row.cells].forEach((cell, i) => {
        const name = columns[i]?.[0];
        if (name && cell.tagName === 'TD' && cell.colSpan === 1) cell.dataset['label'] = name;
      });
    }
  };
  return { wrap: h('div', { class: 'table-wrap' }, t), tbody, more, label };
}
