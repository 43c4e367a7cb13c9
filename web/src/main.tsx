import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { captureTokenFromLocation } from './shared/api/token';
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
