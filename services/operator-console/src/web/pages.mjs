import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from './api.mjs';
import { date, dateTime, day, integer, money } from './format.mjs';
import { BarChart, Message, Table, buttonColumn, html } from './widgets.mjs';

const esc = (v) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
/** a Tabulator formatter from a value → text function, escaped (Tabulator inserts formatter output as HTML) */
const fmt = (f) => (cell) => esc(f(cell.getValue(), cell.getRow().getData()));
const moneyCol = (title, field, currencyField = 'currency') => ({
  title,
  field,
  hozAlign: 'right',
  sorter: (a, b) => Number(a ?? 0) - Number(b ?? 0),
  formatter: fmt((v, row) => money(v, row[currencyField])),
});

const STATUS = {
  TIED_OUT: 'Tied out',
  DIFFERENCE: 'Difference',
  UNMAPPED_LINES: 'Unmapped lines',
  WAITING_FOR_CHUNKS: 'Waiting for chunks',
};
export const CATEGORIES = [
  'FEE',
  'SALES',
  'SHIPPING',
  'TAX',
  'MARKETPLACE_FACILITATOR_TAX',
  'PROMOTION',
  'REFUND',
  'REFUND_COMMISSION',
  'REIMBURSEMENT',
  'ADVERTISING',
  'RESERVE_HELD',
  'RESERVE_RELEASED',
  'OTHER',
];

/** Loads `path` (again when `deps` change); returns [data, error, reload]. */
function useApi(path, deps = []) {
  const [state, setState] = useState({ data: null, error: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    if (!path) return undefined;
    api('GET', path).then(
      (data) => live && setState({ data, error: null }),
      (err) => live && setState({ data: null, error: err.message }),
    );
    return () => {
      live = false;
    };
  }, [path, n, ...deps]);
  return [state.data, state.error, () => setN((x) => x + 1)];
}

function ConnectionPicker({ value, onChange }) {
  const [connections] = useApi('/api/connections');
  return html`<label
    >Connection
    <select value=${value} onChange=${(e) => onChange(e.target.value)} data-testid="connection-picker">
      <option value="">All connections</option>
      ${(connections || []).map((c) => html`<option value=${c.id}>${c.name} (${c.id})</option>`)}
    </select></label
  >`;
}

// ---------------------------------------------------------------------------------------------------
export function SettlementsPage({ session }) {
  const [connection, setConnection] = useState('');
  const q = connection ? `?connection=${encodeURIComponent(connection)}` : '';
  const [rows, error, reload] = useApi(`/api/settlements${q}`);
  const [fees] = useApi(`/api/settlements/fees${q}`);
  const [selected, setSelected] = useState(null);
  const columns = useMemo(
    () => [
      { title: 'Connection', field: 'connectionId' },
      { title: 'Settlement', field: 'settlementId' },
      {
        title: 'Period',
        field: 'periodEnd',
        formatter: fmt((_, r) => `${date(r.periodStart)} – ${date(r.periodEnd)}`),
      },
      moneyCol('Deposit', 'deposit'),
      moneyCol('Posted total', 'postedTotal'),
      moneyCol('Difference', 'difference'),
      { title: 'Status', field: 'status', formatter: fmt((v) => STATUS[v] || v) },
      {
        title: 'Unmapped lines',
        field: 'unmappedLines',
        hozAlign: 'right',
        formatter: fmt((v) => integer(v)),
      },
      { title: 'In the ERP', field: 'postedToErp', formatter: fmt((v) => (v ? 'posted' : 'not posted')) },
    ],
    [],
  );
  return html`<section>
    <h1>Settlements</h1>
    <div class="toolbar">
      <${ConnectionPicker} value=${connection} onChange=${setConnection} />
      <button type="button" onClick=${reload}>Refresh</button>
    </div>
    <${Message} error=${error} />
    ${
      rows &&
      html`<${Table}
        testId="settlements"
        data=${rows}
        columns=${columns}
        rowClass=${(r) => `status-${r.status.toLowerCase()}`}
        onRowClick=${(r) => setSelected(r)}
      />`
    }
    ${fees && fees.length > 0 && html`<${FeesChart} fees=${fees} />`}
    ${
      selected &&
      html`<${SettlementDetail}
        key=${selected.connectionId + selected.settlementId}
        row=${selected}
        session=${session}
        onChange=${reload}
      />`
    }
  </section>`;
}

/** One chart per currency (amounts of different currencies are never stacked together). */
function FeesChart({ fees }) {
  const currencies = [...new Set(fees.map((f) => f.currency))].sort();
  return html`<h2>Fees by category, recent settlements</h2>
    ${currencies.map((cur) => html`<${CurrencyFees} key=${cur} currency=${cur} fees=${fees.filter((f) => f.currency === cur)} />`)}`;
}

function CurrencyFees({ currency, fees }) {
  const categories = [...new Set(fees.flatMap((f) => Object.keys(f.fees)))].sort();
  const colours = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];
  const labels = fees.map((f) => `${f.settlementId} (${date(f.periodEnd)})`);
  // plotted as numbers (a bar's height); the exact figures are in the table below the chart
  const datasets = categories.map((c, i) => ({
    label: c,
    backgroundColor: colours[i % colours.length],
    data: fees.map((f) => Number(f.fees[c] ?? 0)),
  }));
  return html`<h3>${currency}</h3>
    <${BarChart} testId="fees-chart" labels=${labels} datasets=${datasets} />
    <${Table}
      testId="fees-table"
      data=${fees.map((f) => ({ settlementId: f.settlementId, currency: f.currency, ...f.fees }))}
      columns=${[{ title: 'Settlement', field: 'settlementId' }, ...categories.map((c) => moneyCol(c, c))]}
    />`;
}

function SettlementDetail({ row, session, onChange }) {
  const path = `/api/settlements/${encodeURIComponent(row.connectionId)}/${encodeURIComponent(row.settlementId)}`;
  const [d, error, reload] = useApi(path);
  const [msg, setMsg] = useState({});
  const lineColumns = [
    { title: '#', field: 'lineNumber', width: 50 },
    { title: 'Account', field: 'account' },
    moneyCol('Debit', 'debit'),
    moneyCol('Credit', 'credit'),
    { title: 'Category', field: 'category' },
    { title: 'Description', field: 'description' },
  ];
  const rerun = async () => {
    try {
      await api('POST', `${path}/rerun`);
      setMsg({
        info: 'Re-run requested: the reconciler books the settlement again with the current mappings.',
      });
      setTimeout(() => (reload(), onChange()), 2500);
    } catch (err) {
      setMsg({ error: err.message });
    }
  };
  if (error) return html`<${Message} error=${error} />`;
  if (!d) return html`<p>Loading…</p>`;
  return html`<article class="detail" data-testid="settlement-detail">
    <h2>Settlement ${d.settlementId} <span class="badge">${STATUS[d.status]}</span></h2>
    <p>${`${date(d.periodStart)} – ${date(d.periodEnd)} · deposit ${money(d.deposit, d.currency)} · posted ${money(d.postedTotal, d.currency)} · difference ${money(d.difference, d.currency)}`}</p>
    ${
      session.permissions.includes('rerun-settlement') &&
      html`<button type="button" onClick=${rerun}>Re-run with current mappings</button>`
    }
    <${Message} ...${msg} />
    ${d.journals.map(
      (j) =>
        html`<div class="journal">
          <h3>
            Journal ${j.journalId} · ${j.reference} · ${day(j.postingDate)}
            ${
              j.erp
                ? ` · ERP ${j.erp.state}${j.erp.erpDocumentNumber ? `, no. ${j.erp.erpDocumentNumber}` : ''}`
                : ' · not in the ERP'
            }
          </h3>
          <${Table}
            testId="journal-lines"
            data=${j.lines.map((l) => ({ ...l, currency: j.currency }))}
            columns=${lineColumns}
            rowClass=${(l) => (l.suspense ? 'suspense' : '')}
          />
        </div>`,
    )}
  </article>`;
}

// ---------------------------------------------------------------------------------------------------
export function UnmappedPage({ session }) {
  const [rows, error, reload] = useApi('/api/unmapped');
  const [selected, setSelected] = useState(null);
  const [form, setForm] = useState({ account: '', category: 'FEE', marketplaceId: '' });
  const [msg, setMsg] = useState({});
  const allowed = session.permissions.includes('map-gl');
  const submit = async (e) => {
    e.preventDefault();
    setMsg({});
    try {
      const r = await api('POST', '/api/mappings/gl-accounts', {
        connectionId: selected.connectionId,
        transactionType: selected.transactionType,
        amountType: selected.amountType,
        amountDescription: selected.amountDescription,
        account: form.account.trim(),
        category: form.category,
        ...(form.marketplaceId.trim() ? { marketplaceId: form.marketplaceId.trim() } : {}),
      });
      setMsg({
        info: `Mapping published. Re-run: ${r.rerun.join(', ') || 'none'}${r.skipped.length ? `; not re-run: ${r.skipped.map((s) => `${s.settlementId} (${s.reason})`).join('; ')}` : ''}.`,
      });
      setSelected(null);
      setTimeout(reload, 2500);
    } catch (err) {
      setMsg({ error: err.message });
    }
  };
  return html`<section>
    <h1>Unmapped lines</h1>
    <p>
      Settlement lines no GL rule knows, booked to suspense. Choose an account: the mapping is published and
      the settlements not yet posted to the ERP are booked again.
    </p>
    <${Message} error=${error} />
    ${
      rows &&
      html`<${Table}
        testId="unmapped"
        data=${rows.map((r) => ({
          ...r,
          amount: Object.entries(r.amounts)
            .map(([c, a]) => money(a, c))
            .join(', '),
          settlementList: r.settlements.join(', '),
          marketplaceList: r.marketplaces.join(', '),
        }))}
        columns=${[
          { title: 'Connection', field: 'connectionId' },
          { title: 'Transaction type', field: 'transactionType' },
          { title: 'Amount type', field: 'amountType' },
          { title: 'Description', field: 'amountDescription' },
          { title: 'Marketplaces', field: 'marketplaceList' },
          { title: 'Amount', field: 'amount', hozAlign: 'right' },
          { title: 'Lines', field: 'lines', hozAlign: 'right' },
          { title: 'Settlements', field: 'settlementList' },
        ]}
        onRowClick=${(r) => setSelected(r)}
      />`
    }
    ${
      selected &&
      html`<form class="card" onSubmit=${submit} data-testid="map-form">
        <h2>Map ${selected.transactionType} / ${selected.amountType} / ${selected.amountDescription}</h2>
        <label
          >GL account
          <input
            name="account"
            required
            value=${form.account}
            onInput=${(e) => setForm({ ...form, account: e.target.value })}
        /></label>
        <label
          >Category
          <select
            name="category"
            value=${form.category}
            onChange=${(e) => setForm({ ...form, category: e.target.value })}
          >
            ${CATEGORIES.map((c) => html`<option value=${c}>${c}</option>`)}
          </select></label
        >
        <label
          >Marketplace id (empty: all)
          <input
            name="marketplaceId"
            value=${form.marketplaceId}
            onInput=${(e) => setForm({ ...form, marketplaceId: e.target.value })}
        /></label>
        <button
          type="submit"
          disabled=${!allowed}
          title=${allowed ? '' : 'your role may not change GL mappings'}
        >
          Map and re-run
        </button>
        ${!allowed && html`<p class="hint">Your role (${session.user.role}) may read but not change mappings.</p>`}
      </form>`
    }
    <${Message} ...${msg} />
  </section>`;
}

// ---------------------------------------------------------------------------------------------------
export function DeadLettersPage({ session }) {
  const [groups, error, reload] = useApi('/api/dead-letters');
  const [msg, setMsg] = useState({});
  const allowed = session.permissions.includes('redrive');
  const act = async (path, body, what) => {
    setMsg({});
    try {
      const r = await api('POST', path, body);
      setMsg({ info: `${what}: ${r.redriven} redriven.` });
      setTimeout(reload, 1500);
    } catch (err) {
      setMsg({ error: err.message });
    }
  };
  return html`<section>
    <h1>Dead letters</h1>
    <p>
      Records every service set aside, from each <code>*.dlq</code> topic, grouped by code. Fix the cause (a
      mapping, a deploy), then redrive.
    </p>
    <div class="toolbar"><button type="button" onClick=${reload}>Refresh</button></div>
    <${Message} error=${error} />
    <${Message} ...${msg} />
    ${groups && groups.length === 0 && html`<p>No dead letters.</p>`}
    ${(groups || []).map(
      (g) =>
        html`<div class="card" data-testid=${`dlq-group-${g.code}`}>
          <h2>${g.code} <small>${g.topic} · ${g.pending} waiting of ${g.records.length}</small></h2>
          ${
            allowed &&
            g.pending > 0 &&
            html`<button
              type="button"
              onClick=${() => act('/api/dead-letters/redrive-group', { topic: g.topic, code: g.code }, `Group ${g.code}`)}
            >
              Redrive all ${g.code}
            </button>`
          }
          <${Table}
            testId="dead-letters"
            data=${g.records.map((r) => ({ ...r, sourceText: JSON.stringify(r.source), erpText: r.erpAnswer ? JSON.stringify(r.erpAnswer) : '' }))}
            rowClass=${(r) => (r.redriven ? 'redriven' : '')}
            columns=${[
              { title: 'Key', field: 'key' },
              { title: 'Reason', field: 'reason', width: 260, formatter: 'textarea' },
              { title: 'Service', field: 'service' },
              { title: 'Failed', field: 'failedAt', formatter: fmt((v) => dateTime(v)) },
              { title: 'ERP answer', field: 'erpText', width: 200, formatter: 'textarea' },
              {
                title: 'Source record',
                field: 'sourceText',
                width: 180,
                formatter: fmt((v) => (v.length > 160 ? `${v.slice(0, 160)}…` : v)),
              },
              { title: 'State', field: 'redriven', formatter: fmt((v) => (v ? 'redriven' : 'waiting')) },
              ...(allowed
                ? [
                    buttonColumn(
                      '',
                      'Redrive',
                      (r) =>
                        act(
                          '/api/dead-letters/redrive-one',
                          { topic: r.topic, partition: r.partition, offset: r.offset },
                          `Record ${r.key}`,
                        ),
                      (r) => !r.redriven,
                    ),
                  ]
                : []),
            ]}
          />
        </div>`,
    )}
  </section>`;
}

// ---------------------------------------------------------------------------------------------------
export function TracePage({ query }) {
  const [q, setQ] = useState(query || '');
  const [submitted, setSubmitted] = useState(query || '');
  const [t, error] = useApi(submitted ? `/api/trace?q=${encodeURIComponent(submitted)}` : null);
  return html`<section>
    <h1>Order trace</h1>
    <form
      class="toolbar"
      onSubmit=${(e) => (e.preventDefault(), setSubmitted(q.trim()), (location.hash = `#/trace/${encodeURIComponent(q.trim())}`))}
    >
      <label
        >Amazon order id or settlement id
        <input name="q" value=${q} onInput=${(e) => setQ(e.target.value)} size="30"
      /></label>
      <button type="submit">Trace</button>
    </form>
    <${Message} error=${error} />
    ${
      t &&
      html`<div data-testid="trace">
        <h2>ERP documents</h2>
        <${Table}
          testId="trace-documents"
          data=${t.documents}
          columns=${[
            { title: 'Document', field: 'documentKind' },
            { title: 'Natural key', field: 'naturalKey' },
            { title: 'ERP number', field: 'erpDocumentNumber' },
            { title: 'State', field: 'state' },
            { title: 'Last error', field: 'lastError', formatter: 'textarea' },
            { title: 'Updated', field: 'updatedAt', formatter: fmt((v) => dateTime(v)) },
          ]}
        />
        <h2>Events</h2>
        <${Table}
          testId="trace-events"
          data=${[
            ...t.events.map((e) => ({
              what: e.topic,
              id: e.eventId,
              at: e.receivedAt,
              detail: JSON.stringify(e.payload).slice(0, 200),
            })),
            ...t.financialEvents.map((e) => ({
              what: `financial event ${e.eventType}`,
              id: e.eventId,
              at: e.postedAt,
              detail: JSON.stringify(e.byKind),
            })),
          ]}
          columns=${[
            { title: 'What', field: 'what' },
            { title: 'Id', field: 'id' },
            { title: 'When', field: 'at', formatter: fmt((v) => dateTime(v)) },
            { title: 'Detail', field: 'detail', formatter: 'textarea', width: 420 },
          ]}
        />
        <h2>Audit trail</h2>
        <${Table}
          testId="trace-audit"
          data=${t.audit.map((a) => ({ ...a, erp: a.erpResponse ? JSON.stringify(a.erpResponse) : '' }))}
          columns=${[
            { title: 'When', field: 'createdAt', formatter: fmt((v) => dateTime(v)) },
            { title: 'Service', field: 'service' },
            { title: 'Stage', field: 'stage' },
            { title: 'Outcome', field: 'outcome' },
            { title: 'Error', field: 'error', formatter: 'textarea', width: 260 },
            { title: 'ERP answer', field: 'erp', formatter: 'textarea', width: 260 },
          ]}
        />
        <h2>Dead letters</h2>
        <${Table}
          testId="trace-dead-letters"
          data=${t.deadLetters}
          columns=${[
            { title: 'Topic', field: 'topic' },
            { title: 'Code', field: 'code' },
            { title: 'Reason', field: 'reason', formatter: 'textarea', width: 320 },
            { title: 'State', field: 'redriven', formatter: fmt((v) => (v ? 'redriven' : 'waiting')) },
          ]}
        />
      </div>`
    }
  </section>`;
}

// ---------------------------------------------------------------------------------------------------
const KINDS = { skus: 'SKUs', customers: 'Customers', glAccounts: 'GL accounts', carriers: 'Carriers' };

export function ConnectionsPage({ session }) {
  const [connections, error] = useApi('/api/connections');
  const [connection, setConnection] = useState('');
  const [kind, setKind] = useState('skus');
  const [csv, setCsv] = useState('');
  const [sku, setSku] = useState({ sellerSku: '', itemCode: '' });
  const [msg, setMsg] = useState({});
  const [pingMsg, setPingMsg] = useState({});
  const conn = connection || connections?.[0]?.id || '';
  const [mappings, , reloadMappings] = useApi(
    conn ? `/api/mappings/${kind}?connection=${encodeURIComponent(conn)}` : null,
  );
  const canOps = session.permissions.includes('map-operations');
  const canImport = kind === 'glAccounts' ? session.permissions.includes('map-gl') : canOps;
  const post = async (path, body, what) => {
    setMsg({});
    try {
      const r = await api('POST', path, body);
      setMsg({ info: `${what}: ${r.published} published.` });
      setTimeout(reloadMappings, 1500);
    } catch (err) {
      setMsg({ error: err.message });
    }
  };
  return html`<section>
    <h1>Connections</h1>
    <${Message} error=${error} />
    ${
      connections &&
      html`<${Table}
        testId="connections"
        data=${connections.flatMap((c) =>
          (c.streams.length ? c.streams : [{ stream: '—' }]).map((s) => ({
            id: c.id,
            name: c.name,
            erp: `${c.erpKind} ${c.erpCompany}`,
            enabled: c.enabled ? 'enabled' : 'disabled',
            errors24h: c.errors24h,
            stream: s.stream,
            lastRun: s.lastRun,
            lagMin: s.watermark ? Math.round((Date.now() - new Date(s.watermark).getTime()) / 60000) : null,
          })),
        )}
        columns=${[
          { title: 'Connection', field: 'id' },
          { title: 'Name', field: 'name' },
          { title: 'ERP', field: 'erp' },
          { title: 'State', field: 'enabled' },
          { title: 'Stream', field: 'stream' },
          { title: 'Last run', field: 'lastRun', formatter: fmt((v) => dateTime(v)) },
          {
            title: 'Cursor lag (min)',
            field: 'lagMin',
            hozAlign: 'right',
            formatter: fmt((v) => (v === null ? '—' : integer(v))),
          },
          { title: 'Errors, 24 h', field: 'errors24h', hozAlign: 'right' },
        ...(session.permissions.includes('ping')
          ? [
              buttonColumn('', 'Ping', async (r) => {
                setPingMsg({ info: `Pinging ${r.id}…` });
                try {
                  const p = await api('POST', `/api/connections/${encodeURIComponent(r.id)}/ping`);
                  setPingMsg(p.ok ? { info: `${r.id}: ${p.lines.join(' · ')}` } : { error: `${r.id}: ${p.lines.join(' · ')}` });
                } catch (err) {
                  setPingMsg({ error: err.message });
                }
              }),
            ]
          : []),
        ]}
      />`
    }
    <div data-testid="ping-result"><${Message} ...${pingMsg} /></div>
    <h2>Mappings</h2>
    <div class="toolbar">
      <label
        >Connection
        <select value=${conn} onChange=${(e) => setConnection(e.target.value)}>
          ${(connections || []).map((c) => html`<option value=${c.id}>${c.id}</option>`)}
        </select></label
      >
      <label
        >Kind
        <select value=${kind} onChange=${(e) => setKind(e.target.value)}>
          ${Object.entries(KINDS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
        </select></label
      >
      <a
        class="button"
        href=${`/api/mappings/${kind}.csv?connection=${encodeURIComponent(conn)}`}
        download=${`${conn}-${kind}.csv`}
        >Export CSV</a
      >
    </div>
    ${mappings &&
    html`<${Table}
      testId="mappings"
      height="320px"
      data=${mappings}
      columns=${Object.keys(mappings[0] || { mapping: '' }).map((f) => ({ title: f, field: f, headerFilter: 'input' }))}
    />`}
    <form
      class="card"
      onSubmit=${(e) => (e.preventDefault(), post(`/api/mappings/${kind}/import`, { connectionId: conn, csv }, `Import of ${KINDS[kind]}`))}
    >
      <label
        >Import CSV (the export's columns)
        <textarea rows="4" cols="80" value=${csv} onInput=${(e) => setCsv(e.target.value)}></textarea>
      </label>
      <input
        type="file"
        accept=".csv,text/csv"
        onChange=${async (e) => setCsv(await e.target.files[0].text())}
      />
      <button type="submit" disabled=${!canImport || !csv || !conn}>Import</button>
    </form>
    <form
      class="card"
      data-testid="sku-form"
      onSubmit=${(e) => (e.preventDefault(), post('/api/mappings/skus', { connectionId: conn, sellerSku: sku.sellerSku.trim(), itemCode: sku.itemCode.trim() }, `SKU ${sku.sellerSku}`))}
    >
      <h3>Map one SKU</h3>
      <label
        >Seller SKU
        <input
          name="sellerSku"
          value=${sku.sellerSku}
          onInput=${(e) => setSku({ ...sku, sellerSku: e.target.value })}
      /></label>
      <label
        >ERP item
        <input
          name="itemCode"
          value=${sku.itemCode}
          onInput=${(e) => setSku({ ...sku, itemCode: e.target.value })}
      /></label>
      <button type="submit" disabled=${!canOps || !conn}>Map SKU</button>
    </form>
    <${Message} ...${msg} />
  </section>`;
}

// ---------------------------------------------------------------------------------------------------
export function UsersPage() {
  const [users, error, reload] = useApi('/api/users');
  const [form, setForm] = useState({ email: '', password: '', role: 'viewer' });
  const [msg, setMsg] = useState({});
  const submit = async (e) => {
    e.preventDefault();
    setMsg({});
    try {
      const u = await api('POST', '/api/users', form);
      setMsg({ info: `${u.email} (${u.role}) can sign in.` });
      setForm({ email: '', password: '', role: 'viewer' });
      reload();
    } catch (err) {
      setMsg({ error: err.message });
    }
  };
  return html`<section>
    <h1>Users</h1>
    <${Message} error=${error} />
    ${users &&
    html`<${Table}
      testId="users"
      data=${users}
      columns=${[
        { title: 'E-mail', field: 'email' },
        { title: 'Role', field: 'role' },
        { title: 'State', field: 'enabled', formatter: fmt((v) => (v ? 'enabled' : 'disabled')) },
      ]}
    />`}
    <form class="card" onSubmit=${submit}>
      <h2>Add an account</h2>
      <label>E-mail <input name="email" type="email" required value=${form.email} onInput=${(e) => setForm({ ...form, email: e.target.value })} /></label>
      <label>Password (12+ characters) <input name="password" type="password" minlength="12" required autocomplete="new-password" value=${form.password} onInput=${(e) => setForm({ ...form, password: e.target.value })} /></label>
      <label>Role
        <select name="role" value=${form.role} onChange=${(e) => setForm({ ...form, role: e.target.value })}>
          ${['viewer', 'accountant', 'operator', 'admin'].map((r) => html`<option value=${r}>${r}</option>`)}
        </select></label>
      <button type="submit">Add</button>
    </form>
    <${Message} ...${msg} />
  </section>`;
}
