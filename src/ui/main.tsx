import { render } from 'preact';
import { useCallback, useMemo, useState } from 'preact/hooks';
import { LocationProvider, Route, Router } from 'preact-iso';
import '@picocss/pico/css/pico.min.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { Navigation } from './components/Navigation';
import { EndpointsPage } from './pages/Endpoints';
import { HookPage } from './pages/Hook';
import { HooksPage } from './pages/Hooks';
import { NotFound } from './pages/NotFound';
import { OverviewPage } from './pages/Overview';
import { SignIn } from './pages/SignIn';
import { forgetApiKey, type Session, SessionContext, sessionOf, storeApiKey, storedApiKey } from './session';

function Dashboard() {
  const [apiKey, setApiKey] = useState(storedApiKey);
  const [notice, setNotice] = useState<string>();

  const signOut = useCallback((reason?: string) => {
    forgetApiKey();
    setApiKey(null);
    setNotice(reason);
  }, []);
  const session = useMemo<Session | null>(
    () => (apiKey ? sessionOf(apiKey, signOut) : null),
    [apiKey, signOut],
  );

  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(key) => {
          storeApiKey(key);
          setNotice(undefined);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Navigation />
      <main class="container" id="main">
        <Router>
          <Route path="/ui" component={OverviewPage} />
          <Route path="/ui/hooks" component={HooksPage} />
          <Route path="/ui/hooks/:id" component={HookPage} />
          <Route path="/ui/endpoints" component={EndpointsPage} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </SessionContext.Provider>
  );
}

render(
  <LocationProvider scope="/ui">
    <Dashboard />
  </LocationProvider>,
  document.body,
);
