import { useLocation } from 'preact-iso';
import { useSession } from '../session';

const PAGES = [
  { href: '/ui', label: 'Overview' },
  { href: '/ui/hooks', label: 'Hooks' },
  { href: '/ui/endpoints', label: 'Endpoints' },
];

/** The site header: where each page is, which one is open, and signing out. */
export function Navigation() {
  const { path } = useLocation();
  const { signOut } = useSession();
  const current = (href: string) =>
    href === '/ui' ? path === '/ui' || path === '/ui/' : path === href || path.startsWith(`${href}/`);
  return (
    <header class="container">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <nav aria-label="Dashboard">
        <ul>
          <li>
            <strong>hookrelay</strong>
          </li>
        </ul>
        <ul>
          {PAGES.map(({ href, label }) => (
            <li key={href}>
              <a href={href} aria-current={current(href) ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
          <li>
            <button
              type="button"
              class="secondary outline"
              onClick={() => {
                signOut();
              }}
            >
              Sign out
            </button>
          </li>
        </ul>
      </nav>
    </header>
  );
}
