import './styles/index.css';
import { App } from './app.js';
import { readParams } from './params.js';

/** Entry point: read the URL parameters and start the dashboard (docs/dashboard.md). */
function boot(): void {
  const root = document.getElementById('app');
  if (!root) return;
  new App(root, readParams(location.search)).start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
