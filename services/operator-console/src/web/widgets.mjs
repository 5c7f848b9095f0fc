import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import htm from 'htm';
import { TabulatorFull as Tabulator } from 'tabulator';

export const html = htm.bind(h);

/** A Tabulator table (sorting, filtering, resizing come from the library). */
export function Table({ data, columns, testId, rowClass, onRowClick, height }) {
  const el = useRef(null);
  useEffect(() => {
    const table = new Tabulator(el.current, {
      data,
      columns,
      layout: 'fitDataStretch',
      height: height || false,
      placeholder: 'Nothing here',
      rowFormatter: rowClass
        ? (row) => {
            const cls = rowClass(row.getData());
            if (cls) row.getElement().classList.add(cls);
          }
        : undefined,
    });
    if (onRowClick) table.on('rowClick', (_e, row) => onRowClick(row.getData()));
    return () => table.destroy();
  }, [data]);
  return html`<div class="table" data-testid=${testId} ref=${el}></div>`;
}

/** A Chart.js stacked bar chart; `datasets` values are numbers for plotting only (the tables show exact amounts). */
export function BarChart({ labels, datasets, testId, title }) {
  const el = useRef(null);
  useEffect(() => {
    const chart = new window.Chart(el.current, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        responsive: true,
        animation: false,
        plugins: { title: { display: !!title, text: title } },
        scales: { x: { stacked: true }, y: { stacked: true } },
      },
    });
    return () => chart.destroy();
  }, [labels, datasets]);
  return html`<div class="chart"><canvas data-testid=${testId} ref=${el}></canvas></div>`;
}

export function Message({ error, info }) {
  if (error) return html`<p class="message error" role="alert">${error}</p>`;
  if (info) return html`<p class="message info" role="status">${info}</p>`;
  return null;
}

/** A cell formatter for a button; clicking it calls `onClick(rowData)` (cellClick of the column). */
export const buttonColumn = (title, label, onClick, enabled = () => true) => ({
  title,
  headerSort: false,
  formatter: (cell) =>
    enabled(cell.getRow().getData()) ? `<button type="button" class="cell-button">${label}</button>` : '',
  cellClick: (e, cell) => {
    if (e.target && e.target.tagName === 'BUTTON') onClick(cell.getRow().getData());
  },
});
