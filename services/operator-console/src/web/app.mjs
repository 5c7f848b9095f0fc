import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, setCsrfToken } from './api.mjs';
import { ConnectionsPage, DeadLettersPage, SettlementsPage, TracePage, UnmappedPage, UsersPage } from './pages.mjs';
import { Message, html } from './widgets.mjs';

const PAGES = {
  settlements: ['Settlements', SettlementsPage],
  unmapped: ['Unmapped lines', UnmappedPage],
  'dead-letters': ['Dead letters', DeadLettersPage],
  trace: ['Order trace', TracePage],
  connections: ['Connections', ConnectionsPage],
  users: ['Users', UsersPage, 'manage-users'],
};

const route = () => {
  const [, page = 'settlements', arg = ''] = location.hash.split('/');
  return { page: PAGES[page] ? page : 'settlements', arg: decodeURIComponent(arg) };
};

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      onSignedIn(await api('POST', '/api/session', { email: f.get('email'), password: f.get('password') }));
    } catch (err) {
      setError(err.status === 429 ? 'Too many attempts: wait a minute.' : err.message);
    }
  };
  return html`<main class="sign-in">
    <form class="card" onSubmit=${submit} data-testid="sign-in">
      <h1>Connector console</h1>
      <label>E-mail <input name="email" type="email" autocomplete="username" required /></label>
      <label
        >Password <input name="password" type="password" autocomplete="current-password" required
      /></label>
      <button type="submit">Sign in</button>
      <${Message} error=${error} />
    </form>
  </main>`;
}

function App() {
  const [session, setSession] = useState(undefined);
  const [where, setWhere] = useState(route());
  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    api('GET', '/api/session').then(
      (s) => signedIn(s),
      (err) => setSession(err instanceof ApiError && err.status === 401 ? null : { error: err.message }),
    );
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const signedIn = (s) => {
    setCsrfToken(s.csrfToken);
    setSession(s);
    if (location.pathname !== '/') history.replaceState(null, '', `/${location.hash}`);
  };
  const signOut = async () => {
    await api('DELETE', '/api/session').catch(() => undefined);
    setCsrfToken(null);
    setSession(null);
  };
  if (session === undefined) return html`<p>Loading…</p>`;
  if (session === null) return html`<${SignIn} onSignedIn=${signedIn} />`;
  if (session.error) return html`<${Message} error=${session.error} />`;
  const [, Page] = PAGES[where.page];
  return html`<header>
      <nav>
        ${Object.entries(PAGES)
          .filter(([, [, , needs]]) => !needs || session.permissions.includes(needs))
          .map(([k, [title]]) => html`<a href=${`#/${k}`} class=${k === where.page ? 'active' : ''}>${title}</a>`)}
      </nav>
      <span class="who" data-testid="who">${session.user.email} · ${session.user.role}</span>
      <button type="button" onClick=${signOut}>Sign out</button>
    </header>
    <main><${Page} key=${where.page} session=${session} query=${where.arg} /></main>`;
}

render(html`<${App} />`, document.getElementById('app'));
