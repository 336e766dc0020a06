import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { BASE, Link, match, navigate, paths, useLocation } from './lib/router.jsx';
import { signOut } from './lib/api.js';
import { loadOrigins } from './lib/origins.js';
import { useSession } from './lib/session.js';
import { SignInPage } from './pages/SignIn.jsx';
import { ActionsPage } from './pages/Actions.jsx';
import { DeployPage } from './pages/Deploy.jsx';
import { ActionPage } from './pages/Action.jsx';
import { AdminPage } from './pages/Admin.jsx';
import { AccountPage } from './pages/Account.jsx';
import { NotFound } from './pages/NotFound.jsx';
import { RequestPage } from './pages/Request.jsx';
import { StorePage, StoresPage } from './pages/Stores.jsx';
import { VolumePage, VolumesPage } from './pages/Volumes.jsx';

const PUBLIC = ['/signin', '/register'];

function Header({ session, path }) {
  const current = (prefix) => (path.startsWith(prefix) ? 'page' : undefined);
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <Link href={paths.actions()} class="brand" aria-label="WASM Actions home">
          <img src="/static/favicon.svg" alt="" width="26" height="26" />
          <span>WASM Actions</span>
        </Link>
        {session && (
          <nav aria-label="Main" class="mainnav">
            <Link href={paths.actions()} aria-current={current(paths.actions())}>
              Actions
            </Link>
            <Link href={paths.deploy()} aria-current={current(paths.deploy())}>
              Deploy
            </Link>
            <Link href={paths.stores()} aria-current={current(paths.stores()) || current(paths.volumes())}>
              Storage
            </Link>
            {session.user && session.user.is_admin && (
              <Link href={paths.admin()} aria-current={current(paths.admin())}>
                Admin
              </Link>
            )}
            <Link href={paths.account()} aria-current={current(paths.account())}>
              Account
            </Link>
          </nav>
        )}
        {session && (
          <div class="userbox">
            <span class="username" title="Signed in">
              <span class="avatar" aria-hidden="true">
                {(session.user?.username || '?').slice(0, 1).toUpperCase()}
              </span>
              <span class="username-text">{session.user?.username}</span>
            </span>
            <button type="button" class="button small ghost" onClick={() => signOut()}>
              Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}

function Routes({ path, query, session }) {
  const sub = path.slice(BASE.length) || '/';
  if (PUBLIC.includes(sub)) {
    return <SignInPage mode={sub === '/register' ? 'register' : 'signin'} query={query} />;
  }
  let params;
  if (sub === '/' || sub === '/actions') return <ActionsPage />;
  if (sub === '/deploy') return <DeployPage />;
  if (sub === '/admin') return <AdminPage session={session} />;
  if (sub === '/account') return <AccountPage session={session} />;
  if (sub === '/kv') return <StoresPage />;
  if (sub === '/volumes') return <VolumesPage />;
  if ((params = match('/kv/:store', sub))) return <StorePage name={params.store} />;
  if ((params = match('/requests/:id', sub))) return <RequestPage id={params.id} />;
  if ((params = match('/volumes/:name', sub))) return <VolumePage name={params.name} dir={query.get('dir') || ''} />;
  if ((params = match('/actions/:name', sub))) return <ActionPage name={params.name} tab="overview" />;
  if ((params = match('/actions/:name/:tab', sub))) return <ActionPage name={params.name} tab={params.tab} />;
  return <NotFound />;
}

function App() {
  const { path, query } = useLocation();
  const session = useSession();
  const inDashboard = path === BASE || path.startsWith(`${BASE}/`);
  const sub = inDashboard ? path.slice(BASE.length) || '/' : '/';
  const isPublic = PUBLIC.includes(sub);

  // Where to go: "/" → the actions list; signed-out users → sign-in (and back afterwards).
  useEffect(() => {
    if (!inDashboard) navigate(paths.actions(), { replace: true });
    else if (!session && !isPublic) {
      const next = sub === '/' || sub === '/actions' ? '' : `?next=${encodeURIComponent(path)}`;
      navigate(paths.signIn() + next, { replace: true });
    } else if (session && isPublic) navigate(query.get('next') || paths.actions(), { replace: true });
  }, [inDashboard, session, isPublic, path]);

  // Move focus to the new page's heading so screen readers announce it.
  useEffect(() => {
    const heading = document.querySelector('main h1');
    if (heading && document.activeElement === document.body) heading.focus({ preventScroll: true });
  }, [path]);

  const ready = inDashboard && (session ? !isPublic : isPublic);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header session={session} path={path} />
      <main id="main" class={isPublic ? 'main main-narrow' : 'main'}>
        {ready && <Routes path={path} query={query} session={session} />}
      </main>
    </>
  );
}

loadOrigins().finally(() => render(<App />, document.getElementById('app')));
