/** The centred card used by the first-run, unlock and enrol screens. */
import type { ReactNode } from 'react';

export function CardPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="card-page">
      <header className="brand-bar">
        <span className="brand">Practice Messenger</span>
      </header>
      <main className="card">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}

export function Alert({ message }: { message: string | null }) {
  return (
    <div role="alert" className={message ? 'alert' : 'alert-empty'}>
      {message}
    </div>
  );
}
