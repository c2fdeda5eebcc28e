// First: configures zod before any schema module runs (see the file).
import './app/zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import './styles/base.css';
import './styles/layout.css';
import './styles/chat.css';
import './styles/markdown.css';
import './styles/panels.css';
import './styles/voice.css';
import './styles/settings.css';
import './styles/reactions.css';
import './styles/attachments.css';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
