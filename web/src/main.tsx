import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { captureTokenFromLocation } from './shared/api/token';
// The fonts ship with the app (Vite bundles their files): nothing is fetched from another host at run time.
import '@fontsource-variable/space-grotesk';
import '@fontsource-variable/jetbrains-mono';
import './styles.css';

captureTokenFromLocation();
// A #token link opened on a page that is already loaded changes only the fragment.
window.addEventListener('hashchange', () => {
  if (captureTokenFromLocation()) window.location.reload();
});
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
