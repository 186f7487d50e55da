import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { bootstrap, syncRoute } from './state/actions';
import './styles.css';

window.addEventListener('hashchange', syncRoute);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void bootstrap();
