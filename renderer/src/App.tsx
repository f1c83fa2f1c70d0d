// Placeholder: proves the preload bridge end to end. The Renderer issue replaces it.
import { useEffect, useState } from 'react';

type Info = { productName: string; version: string };

export function App() {
  const [info, setInfo] = useState<Info | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void window.messenger.app.info().then((result) => {
      if (result.ok) setInfo(result.value);
      else setProblem(result.error.message);
    });
  }, []);

  return (
    <main>
      <h1>{info?.productName ?? 'Practice Messenger'}</h1>
      {info && <p>Version {info.version}</p>}
      {problem && <p role="alert">{problem}</p>}
    </main>
  );
}
