import { Link } from 'react-router';

export function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-6 py-16 text-center">
      <h1 className="text-2xl font-semibold">Nothing here</h1>
      <p className="mt-2 text-muted">This address is not a page of mission control.</p>
      <Link to="/" className="mt-6 inline-block text-accent underline">
        Back to projects
      </Link>
    </main>
  );
}
