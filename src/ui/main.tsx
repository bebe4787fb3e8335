import { render } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import '@picocss/pico/css/pico.min.css';

function Home() {
  return <main class="container">hookrelay</main>;
}

render(
  <LocationProvider scope="/ui">
    <Router>
      <Route path="/ui" component={Home} />
      <Route default component={Home} />
    </Router>
  </LocationProvider>,
  document.body,
);
