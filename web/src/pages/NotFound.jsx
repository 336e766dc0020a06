import { Link, paths } from '../lib/router.jsx';

export function NotFound({ what = 'page' }) {
  return (
    <section class="empty">
      <h1 tabindex="-1">Not found</h1>
      <p>There is no such {what} here, or it belongs to someone else.</p>
      <Link class="button primary" href={paths.actions()}>
        Back to your actions
      </Link>
    </section>
  );
}
